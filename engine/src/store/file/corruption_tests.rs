//! OnStoreCorruption: bytes damaged at seeded random offsets before the
//! journal's last record, opened under each policy.

use super::*;
use crate::codec::encode::Encoder;
use crate::codec::time::Precision;
use crate::recovery::Recovery;
use crate::session::ResendRange;

const SEG: usize = 8192;
const N: u32 = 20;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gapless-corrupt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn encoder() -> Encoder {
    Encoder::new("FIX.4.4", "A", "B", Precision::Millis)
}

/// A journal of `N` commits, one real order each (seq 1..=N), and the
/// offset where each record starts.
fn journal(d: &Path) -> (Vec<u8>, Vec<usize>) {
    let (mut s, _) = FileStore::open(d, "S", SEG).unwrap();
    let enc = encoder();
    for seq in 1..=N {
        let mut wire = vec![];
        let r = enc.encode(&mut wire, b"D", seq, 1_700_000_000_000_000_000, b"11=X\x01");
        s.append(seq, 0, &wire[r]).unwrap();
        s.commit(SeqNums {
            next_in: seq,
            next_out: seq + 1,
        })
        .unwrap();
    }
    drop(s);
    let clean = std::fs::read(d.join("S.000000.journal")).unwrap();
    let mut starts = vec![];
    let mut at = 0;
    while let Ok(Some(r)) = record(&clean, at) {
        starts.push(at);
        at += r.len;
    }
    (clean, starts)
}

/// Seeded offsets inside records 0..N-1 (damage, not a torn tail), each
/// with the seq of the record it falls in.
fn offsets(starts: &[usize], n: usize) -> Vec<(usize, u32, u8)> {
    let last = *starts.last().unwrap();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let off = (x % last as u64) as usize;
            let seq = starts.iter().rposition(|&s| s <= off).unwrap() as u32 + 1;
            (off, seq, 1 << (x >> 61))
        })
        .collect()
}

fn damage(d: &Path, clean: &[u8], off: usize, bit: u8) {
    let mut bytes = clean.to_vec();
    bytes[off] ^= bit;
    std::fs::write(d.join("S.000000.journal"), &bytes).unwrap();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.to_string_lossy().contains("damaged") {
            std::fs::remove_file(p).unwrap();
        }
    }
}

fn stored_seqs(s: &FileStore) -> Vec<u32> {
    let mut out = vec![];
    s.reader()
        .for_each(1, 0, &mut |seq, _, _| out.push(seq))
        .unwrap();
    out
}

#[test]
fn refuse_policy_fails_with_corrupt_at_every_damaged_offset() {
    let d = dir("refuse");
    let (clean, starts) = journal(&d);
    for (off, _, bit) in offsets(&starts, 30) {
        damage(&d, &clean, off, bit);
        match FileStore::open_with(&d, "S", SEG, CorruptionPolicy::Refuse) {
            Err(StoreError::Corrupt { .. }) => {}
            other => panic!(
                "offset {off}: expected Corrupt, got {:?}",
                other.map(|_| ())
            ),
        }
    }
    let msg = StoreError::Corrupt {
        path: "j".into(),
        offset: 7,
    }
    .to_string();
    assert!(msg.contains("OnStoreCorruption=gapfill"), "{msg}");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn reset_policy_moves_the_journal_aside_and_starts_at_one() {
    let d = dir("reset");
    let (clean, starts) = journal(&d);
    for (off, seq, bit) in offsets(&starts, 10) {
        damage(&d, &clean, off, bit);
        let (mut s, _) = FileStore::open_with(&d, "S", SEG, CorruptionPolicy::Reset).unwrap();
        assert_eq!(
            (s.seqs().next_in, s.seqs().next_out),
            (1, 1),
            "offset {off}"
        );
        assert!(stored_seqs(&s).is_empty());
        let r = s.repaired.clone().expect("a repair is reported");
        assert_eq!(
            (r.policy, r.offset),
            (CorruptionPolicy::Reset, starts[seq as usize - 1] as u64)
        );
        let aside = std::fs::read_dir(&d)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .to_string_lossy()
                    .contains("damaged-")
            })
            .count();
        assert_eq!(aside, 1, "the damaged journal is kept aside");
        s.commit(SeqNums {
            next_in: 2,
            next_out: 3,
        })
        .unwrap();
        drop(s);
        let (s, _) = FileStore::open(&d, "S", SEG).unwrap();
        assert_eq!(s.seqs().next_out, 3, "the new journal is sound");
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn gapfill_policy_keeps_every_good_record_and_the_last_seqs() {
    let d = dir("gapfill");
    let (clean, starts) = journal(&d);
    for (off, seq, bit) in offsets(&starts, 30) {
        damage(&d, &clean, off, bit);
        let (s, _) = FileStore::open_with(&d, "S", SEG, CorruptionPolicy::GapFill).unwrap();
        assert_eq!(s.seqs().next_out, N + 1, "offset {off}");
        let want: Vec<u32> = (1..=N).filter(|&q| q != seq).collect();
        assert_eq!(
            stored_seqs(&s),
            want,
            "offset {off}: only seq {seq} is lost"
        );
        let r = s.repaired.clone().expect("a repair is reported");
        assert_eq!(r.offset, starts[seq as usize - 1] as u64);
        assert!(d.join("S.000000.journal.damaged").exists());
        drop(s);
        let (s, _) = FileStore::open(&d, "S", SEG).unwrap();
        assert_eq!(stored_seqs(&s), want, "the repaired journal opens cleanly");
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn gapfill_policy_answers_a_resend_of_the_lost_range_with_a_gap_fill() {
    let d = dir("gapfill-resend");
    let (clean, starts) = journal(&d);
    let lost = 7;
    damage(&d, &clean, starts[lost as usize - 1] + HEADER + 30, 0x10);
    let (s, _) = FileStore::open_with(&d, "S", SEG, CorruptionPolicy::GapFill).unwrap();
    let mut rec = Recovery::new(s.reader(), encoder());
    rec.serve(ResendRange {
        begin: 1,
        end: 0,
        next_out: N + 1,
    });
    let mut frames: Vec<Vec<u8>> = vec![];
    for _ in 0..100 {
        if !rec.busy() {
            break;
        }
        rec.poll(1_700_000_000_000_000_000, 1000, &mut |b| {
            frames.push(b.to_vec())
        })
        .unwrap();
    }
    let msgs: Vec<crate::codec::message::Message> = frames
        .iter()
        .map(|f| crate::codec::message::Message::new(f))
        .collect();
    assert_eq!(msgs.len(), N as usize);
    let fill = &msgs[lost as usize - 1];
    assert_eq!(fill.msg_type(), b"4");
    assert_eq!(fill.get(34), Some(&b"7"[..]));
    assert_eq!(fill.get(123), Some(&b"Y"[..]));
    assert_eq!(fill.get(36), Some(&b"8"[..]));
    assert!(msgs
        .iter()
        .enumerate()
        .all(|(i, m)| i == lost as usize - 1 || m.msg_type() == b"D"));
    std::fs::remove_dir_all(&d).ok();
}

/// Found in review: a length field damaged to zero read as the end of
/// the journal, so the records after it were silently dropped (and would
/// have been overwritten by the next commit).
#[test]
fn length_damaged_to_zero_is_damage_not_the_end() {
    let d = dir("zero-len");
    let (clean, starts) = journal(&d);
    let mut bytes = clean.clone();
    bytes[starts[3]..starts[3] + 4].fill(0);
    std::fs::write(d.join("S.000000.journal"), &bytes).unwrap();
    match FileStore::open_with(&d, "S", SEG, CorruptionPolicy::Refuse) {
        Err(StoreError::Corrupt { offset, .. }) => assert_eq!(offset, starts[3] as u64),
        other => panic!("expected Corrupt, got {:?}", other.map(|_| ())),
    }
    let (s, _) = FileStore::open_with(&d, "S", SEG, CorruptionPolicy::GapFill).unwrap();
    assert_eq!(s.seqs().next_out, N + 1);
    let want: Vec<u32> = (1..=N).filter(|&q| q != 4).collect();
    assert_eq!(stored_seqs(&s), want);
    std::fs::remove_dir_all(&d).ok();
}
