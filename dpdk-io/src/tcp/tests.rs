//! The stack over an in-memory wire whose frames the tests hold, look
//! into and deliver by hand.

use std::collections::VecDeque;

use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetFrame, EthernetProtocol, IpProtocol, Ipv4Packet, TcpPacket};

use super::*;

#[derive(Default)]
struct Wire {
    inbox: VecDeque<Vec<u8>>,
    outbox: Vec<Vec<u8>>,
}

struct Rx(Vec<u8>);
struct Tx<'a>(&'a mut Vec<Vec<u8>>);

impl RxToken for Rx {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(&self.0)
    }
}

impl TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut b = vec![0; len];
        let r = f(&mut b);
        self.0.push(b);
        r
    }
}

impl Device for Wire {
    type RxToken<'a> = Rx;
    type TxToken<'a> = Tx<'a>;
    fn receive(&mut self, _: Instant) -> Option<(Rx, Tx<'_>)> {
        let f = self.inbox.pop_front()?;
        Some((Rx(f), Tx(&mut self.outbox)))
    }
    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        Some(Tx(&mut self.outbox))
    }
    fn capabilities(&self) -> DeviceCapabilities {
        let mut c = DeviceCapabilities::default();
        c.medium = Medium::Ethernet;
        c.max_transmission_unit = 1514;
        c
    }
}

fn stack(last: u8) -> TcpStack<Wire> {
    let net = NetConfig {
        mac: [2, 0, 0, 0, 0, last],
        ip: Ipv4Addr::new(10, 0, 0, last),
        prefix: 24,
        gateway: None,
    };
    TcpStack::new(Wire::default(), net)
}

/// Polls `from` and moves what it sent to `to`; returns those frames.
fn deliver(from: &mut TcpStack<Wire>, to: &mut TcpStack<Wire>) -> Vec<Vec<u8>> {
    from.poll();
    let frames = std::mem::take(&mut from.device_mut().outbox);
    to.device_mut().inbox.extend(frames.iter().cloned());
    frames
}

/// (payload length, ACK flag) of each TCP segment among `frames`.
fn segments(frames: &[Vec<u8>]) -> Vec<(usize, bool)> {
    let mut out = vec![];
    for f in frames {
        let eth = EthernetFrame::new_checked(&f[..]).unwrap();
        if eth.ethertype() != EthernetProtocol::Ipv4 {
            continue;
        }
        let ip = Ipv4Packet::new_checked(eth.payload()).unwrap();
        if ip.next_header() != IpProtocol::Tcp {
            continue;
        }
        let tcp = TcpPacket::new_checked(ip.payload()).unwrap();
        out.push((tcp.payload().len(), tcp.ack()));
    }
    out
}

/// A connected (client, server, client conn, server conn).
fn pair() -> (TcpStack<Wire>, TcpStack<Wire>, Conn, Conn) {
    let (mut a, mut b) = (stack(1), stack(2));
    b.listen(9000).unwrap();
    let c = a.connect("10.0.0.2:9000".parse().unwrap()).unwrap();
    for _ in 0..20 {
        deliver(&mut a, &mut b);
        deliver(&mut b, &mut a);
        if a.connected(c) {
            if let Some((s, port)) = b.accept() {
                assert_eq!(port, 9000);
                return (a, b, c, s);
            }
        }
    }
    panic!("no handshake (ARP, SYN, SYN-ACK, ACK) within 20 rounds");
}

#[test]
fn client_and_server_connect_through_arp_and_exchange_bytes() {
    let (mut a, mut b, c, s) = pair();
    assert_eq!(a.send(c, b"8=FIX.4.4|35=0|").unwrap(), 15);
    deliver(&mut a, &mut b);
    b.poll();
    let mut buf = [0; 64];
    assert_eq!(b.recv(s, &mut buf).unwrap(), 15);
    assert_eq!(b.send(s, b"pong").unwrap(), 4);
    deliver(&mut b, &mut a);
    a.poll();
    assert_eq!(a.recv(c, &mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"pong");
}

#[test]
fn small_write_is_sent_at_once_while_earlier_data_is_unacked() {
    let (mut a, _b, c, _s) = pair();
    a.send(c, b"first").unwrap();
    a.poll();
    let first = std::mem::take(&mut a.device_mut().outbox);
    assert_eq!(segments(&first), vec![(5, true)]);
    // "first" is not delivered, hence unacked: Nagle would hold this one.
    a.send(c, b"second").unwrap();
    a.poll();
    let second = std::mem::take(&mut a.device_mut().outbox);
    assert_eq!(segments(&second), vec![(6, true)]);
}

#[test]
fn nagle_would_hold_the_small_write_control() {
    let (mut a, _b, c, _s) = pair();
    let h = a.conns[c].unwrap();
    a.sockets.get_mut::<tcp::Socket>(h).set_nagle_enabled(true);
    a.send(c, b"first").unwrap();
    a.poll();
    a.device_mut().outbox.clear();
    a.send(c, b"second").unwrap();
    a.poll();
    assert!(segments(&a.device_mut().outbox).is_empty());
}

#[test]
fn received_data_is_acked_on_the_next_poll_without_delay() {
    let (mut a, mut b, c, _s) = pair();
    a.send(c, b"8=FIX.4.4").unwrap();
    deliver(&mut a, &mut b);
    // The very next poll, with no time passing beyond it, sends the ACK.
    let acks = deliver(&mut b, &mut a);
    assert_eq!(segments(&acks), vec![(0, true)]);
}

#[test]
fn peer_close_is_reported_after_the_data_is_read() {
    let (mut a, mut b, c, s) = pair();
    a.send(c, b"bye").unwrap();
    a.close(c);
    for _ in 0..4 {
        deliver(&mut a, &mut b);
        deliver(&mut b, &mut a);
    }
    let mut buf = [0; 8];
    assert_eq!(b.recv(s, &mut buf), Ok(3));
    assert_eq!(b.recv(s, &mut buf), Err(TcpError::Closed));
    assert_eq!(a.send(c, b"x"), Err(TcpError::Closed));
}

#[test]
fn abort_all_resets_the_peer() {
    let (mut a, mut b, _c, s) = pair();
    a.abort_all();
    deliver(&mut a, &mut b);
    b.poll();
    assert_eq!(b.recv(s, &mut [0; 8]), Err(TcpError::Closed));
}
