//! Admission: accepted connections wait here, unrouted, until their first
//! message names a session (several sessions may share a port). Refuses
//! peers outside AllowedRemoteAddresses before reading a byte, floods
//! beyond `MAX_PENDING`, and slowlorises after `PENDING_TIMEOUT`.

use std::net::IpAddr;

use super::hot_path::Slot;
use super::transport::{ConnId, Transport};
use crate::codec::message::Message;
use crate::codec::time::Nanos;
use crate::validator::software::{parse_frame, Frame};

/// Connections waiting for their first message; more are closed at once.
const MAX_PENDING: usize = 256;

/// How long an accepted connection may take to send its whole Logon.
const PENDING_TIMEOUT: Nanos = 10_000_000_000;

/// An accepted connection not yet routed to a session (no Logon yet).
struct Pending {
    conn: ConnId,
    port: u16,
    ip: Option<IpAddr>,
    buf: Vec<u8>,
    since: Nanos,
}

/// A connection routed to session `slot`, with the bytes read so far.
pub(super) struct Routed {
    pub(super) slot: usize,
    pub(super) conn: ConnId,
    pub(super) first_bytes: Vec<u8>,
}

pub(super) struct Admission {
    pending: Vec<Pending>,
    max_message: usize,
    /// Connections closed unread: not from an AllowedRemoteAddresses entry.
    pub(super) refused: u64,
}

impl Admission {
    pub(super) fn new(max_message: usize) -> Self {
        Admission {
            pending: Vec::with_capacity(16),
            max_message,
            refused: 0,
        }
    }

    /// Accepts new connections, reads the pending ones, and returns the
    /// next one routed to a free session, if any (call until `None`).
    pub(super) fn poll<T: Transport>(
        &mut self,
        transport: &mut T,
        slots: &[Slot],
        now: Nanos,
    ) -> Option<Routed> {
        self.accept(transport, slots, now);
        let mut k = 0;
        while k < self.pending.len() {
            match self.route(k, transport, slots, now) {
                None => k += 1,
                Some(done) => {
                    let p = self.pending.swap_remove(k);
                    match done {
                        Some(slot) => {
                            return Some(Routed {
                                slot,
                                conn: p.conn,
                                first_bytes: p.buf,
                            })
                        }
                        None => transport.close(p.conn),
                    }
                }
            }
        }
        None
    }

    fn accept<T: Transport>(&mut self, transport: &mut T, slots: &[Slot], now: Nanos) {
        while let Some((conn, port)) = transport.accept() {
            if self.pending.len() >= MAX_PENDING {
                // A logon flood: refuse rather than queue without bound.
                transport.close(conn);
                continue;
            }
            let ip = transport.peer_ip(conn);
            let open = slots
                .iter()
                .filter(|s| s.accept_port == Some(port))
                .any(|s| admits(&s.fix.session().config().allowed_remote_addresses, ip));
            if !open {
                // Closed before a byte is read.
                transport.close(conn);
                self.refused += 1;
                continue;
            }
            self.pending.push(Pending {
                conn,
                port,
                ip,
                buf: Vec::with_capacity(1024),
                since: now,
            });
        }
    }

    /// `None`: keep waiting; `Some(None)`: refuse; `Some(Some(i))`: route.
    fn route<T: Transport>(
        &mut self,
        k: usize,
        transport: &mut T,
        slots: &[Slot],
        now: Nanos,
    ) -> Option<Option<usize>> {
        let p = &mut self.pending[k];
        let mut chunk = [0u8; 4096];
        match transport.recv(p.conn, &mut chunk) {
            Ok(n) => p.buf.extend_from_slice(&chunk[..n]),
            Err(_) => return Some(None),
        }
        match parse_frame(&p.buf, self.max_message as u32) {
            Frame::Incomplete if now.saturating_sub(p.since) < PENDING_TIMEOUT => None,
            Frame::Complete { len, .. } => {
                let h = Message::new(&p.buf[..len]).header();
                Some(slots.iter().position(|s| {
                    let c = s.fix.session().config();
                    s.conn.is_none()
                        && s.accept_port == Some(p.port)
                        && admits(&c.allowed_remote_addresses, p.ip)
                        && h.begin_string == c.begin_string.as_bytes()
                        && h.sender == c.target.as_bytes()
                        && h.target == c.sender.as_bytes()
                }))
            }
            Frame::Garbled { at, .. } => {
                // Skip the garbled bytes as the validator would: hunt for
                // the next `8=FIX` from the offending byte on.
                let from = at.max(1);
                let next = memchr::memmem::find(&p.buf[from..], b"8=FIX").map(|i| from + i);
                p.buf.drain(..next.unwrap_or(p.buf.len()));
                None
            }
            Frame::Incomplete => Some(None),
        }
    }
}

/// An empty list allows any peer; otherwise the peer's address must be in it.
fn admits(allowed: &[IpAddr], ip: Option<IpAddr>) -> bool {
    allowed.is_empty() || ip.is_some_and(|ip| allowed.contains(&ip))
}

#[cfg(test)]
mod tests {
    use super::admits;

    #[test]
    fn empty_allow_list_admits_anyone_and_a_list_only_its_members() {
        let one: IpAddrs = ["127.0.0.2".parse().unwrap()];
        assert!(admits(&[], None));
        assert!(admits(&one, Some("127.0.0.2".parse().unwrap())));
        assert!(!admits(&one, Some("127.0.0.1".parse().unwrap())));
        assert!(!admits(&one, None), "an unknown peer address is refused");
    }

    type IpAddrs = [std::net::IpAddr; 1];
}
