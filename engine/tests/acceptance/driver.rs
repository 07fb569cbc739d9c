//! Plays one script against an engine listening on 127.0.0.1.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::compare::{compare, Mode};
use super::script::{now_secs, prepare, Line, Step};

/// How long an expected message may take (the scripts' longest wait is a
/// few heartbeat intervals of 2 s).
const EXPECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the engine may take to close a connection (QuickFIX's runner:
/// ten seconds).
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The session a script plays: where, as whom, and how to compare.
#[derive(Clone, Copy, Debug)]
pub struct Session<'a> {
    pub port: u16,
    pub comp_id: &'a str,
    pub mode: Mode,
}

struct Conn {
    stream: TcpStream,
    rx: Vec<u8>,
}

/// Runs a script; `Err` names the line and the first difference.
pub fn run(lines: &[Line], s: Session) -> Result<(), String> {
    let mut conns: HashMap<u8, Conn> = HashMap::new();
    let result = lines.iter().try_for_each(|line| {
        step(&mut conns, line, s).map_err(|e| format!("line {}: {e}", line.number))
    });
    for c in conns.values() {
        let _ = c.stream.shutdown(Shutdown::Both);
    }
    if result.is_err() && !conns.is_empty() {
        // A script stopped midway leaves its session logged on until the
        // engine sees the close; give it that time, so the next script's
        // Logon is not taken for a second connection.
        std::thread::sleep(Duration::from_millis(500));
    }
    result
}

fn step(conns: &mut HashMap<u8, Conn>, line: &Line, s: Session) -> Result<(), String> {
    match &line.step {
        Step::Connect => {
            conns.insert(line.conn, connect(s.port)?);
        }
        Step::Disconnect => {
            if let Some(c) = conns.remove(&line.conn) {
                let _ = c.stream.shutdown(Shutdown::Both);
            }
        }
        Step::Send(m) => {
            let c = conns
                .get_mut(&line.conn)
                .ok_or("unable to send: the connection was dropped")?;
            let bytes = prepare(m, s.comp_id, now_secs());
            c.stream
                .write_all(&bytes)
                .map_err(|e| format!("send failed: {e}"))?;
        }
        Step::Expect(m) => {
            let c = conns
                .get_mut(&line.conn)
                .ok_or("no connection to expect on")?;
            let expected = prepare(m, s.comp_id, now_secs());
            let got = read_message(c)?;
            compare(&expected, &got, s.mode).map_err(|why| {
                format!(
                    "{why}\n      expected {}\n      received {}",
                    show(&expected),
                    show(&got)
                )
            })?;
        }
        Step::ExpectDisconnect => {
            let c = conns
                .get_mut(&line.conn)
                .ok_or("no connection to expect on")?;
            wait_disconnect(c)?;
            conns.remove(&line.conn);
        }
    }
    Ok(())
}

fn connect(port: u16) -> Result<Conn, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(Conn { stream, rx: vec![] });
            }
            Err(e) if Instant::now() > deadline => return Err(format!("connect: {e}")),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Reads one message as QuickFIX's runner does: through `\x019=`, the
/// length, that many bytes, then the CheckSum field.
fn read_message(c: &mut Conn) -> Result<Vec<u8>, String> {
    let deadline = Instant::now() + EXPECT_TIMEOUT;
    loop {
        if let Some(end) = frame_end(&c.rx) {
            return Ok(c.rx.drain(..end).collect());
        }
        match fill(c, deadline)? {
            0 if c.rx.is_empty() => return Err("was disconnected, expected data".into()),
            0 => {
                return Err(format!(
                    "was disconnected inside a message: {}",
                    show(&c.rx)
                ))
            }
            _ => {}
        }
    }
}

fn frame_end(rx: &[u8]) -> Option<usize> {
    let len_at = rx.windows(3).position(|w| w == b"\x019=")? + 3;
    let len_end = len_at + rx[len_at..].iter().position(|&b| b == 1)?;
    let len: usize = std::str::from_utf8(&rx[len_at..len_end])
        .ok()?
        .parse()
        .ok()?;
    let body_end = len_end + 1 + len;
    let tail = rx.get(body_end..)?;
    Some(body_end + tail.iter().position(|&b| b == 1)? + 1)
}

/// Reads more bytes; `Ok(0)` at end of stream, `Err` on timeout.
fn fill(c: &mut Conn, deadline: Instant) -> Result<usize, String> {
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "nothing received for {} s (pending: {})",
                EXPECT_TIMEOUT.as_secs(),
                show(&c.rx)
            ));
        }
        let _ = c.stream.set_read_timeout(Some(left));
        match c.stream.read(&mut buf) {
            Ok(n) => {
                c.rx.extend_from_slice(&buf[..n]);
                return Ok(n);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return Ok(0),
        }
    }
}

fn wait_disconnect(c: &mut Conn) -> Result<(), String> {
    if !c.rx.is_empty() {
        return Err(format!("expected disconnection, got data: {}", show(&c.rx)));
    }
    let deadline = Instant::now() + DISCONNECT_TIMEOUT;
    match fill(c, deadline) {
        Ok(0) => Ok(()),
        Ok(_) => Err(format!("expected disconnection, got data: {}", show(&c.rx))),
        Err(_) => Err("connection hangs after ten seconds".into()),
    }
}

/// A message for humans: `|` for SOH.
pub fn show(m: &[u8]) -> String {
    String::from_utf8_lossy(m).replace('\x01', "|")
}
