use super::*;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gapless-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

const SEG: usize = 4096;

fn commit_msgs(s: &mut FileStore, from: u32, n: u32) {
    for seq in from..from + n {
        s.append(seq, 0, format!("msg-{seq}").as_bytes()).unwrap();
        s.commit(SeqNums {
            next_in: seq,
            next_out: seq + 1,
        })
        .unwrap();
    }
}

fn read_all(s: &FileStore) -> Vec<(u32, Vec<u8>)> {
    let mut out = vec![];
    s.reader()
        .for_each(1, 0, &mut |seq, _, b| out.push((seq, b.to_vec())))
        .unwrap();
    out
}

#[test]
fn reopen_restores_seqs_and_messages() {
    let d = dir("reopen");
    {
        let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
        commit_msgs(&mut s, 1, 10);
    }
    let (s, _) = FileStore::open(&d, "S", SEG).unwrap();
    assert_eq!(
        s.seqs(),
        SeqNums {
            next_in: 10,
            next_out: 11
        }
    );
    let all = read_all(&s);
    assert_eq!(all.len(), 10);
    assert_eq!(all[9], (10, b"msg-10".to_vec()));
}

#[test]
fn uncommitted_messages_are_invisible_and_lost_on_reopen() {
    let d = dir("uncommitted");
    {
        let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
        commit_msgs(&mut s, 1, 2);
        s.append(3, 0, b"pending").unwrap();
        assert_eq!(read_all(&s).len(), 2);
    }
    let (s, _) = FileStore::open(&d, "S", SEG).unwrap();
    assert_eq!(s.seqs().next_out, 3);
    assert_eq!(read_all(&s).len(), 2);
}

#[test]
fn segments_roll_over_and_stay_readable() {
    let d = dir("roll");
    let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
    commit_msgs(&mut s, 1, 500);
    assert!(s.rolls > 3);
    assert_eq!(read_all(&s).len(), 500);
    drop(s);
    let (s, _) = FileStore::open(&d, "S", SEG).unwrap();
    assert_eq!(s.seqs().next_out, 501);
    assert_eq!(read_all(&s).len(), 500);
}

#[test]
fn torn_tail_is_truncated_on_open_and_appends_continue() {
    let d = dir("torn");
    {
        let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
        commit_msgs(&mut s, 1, 5);
    }
    // A record whose length landed but whose body did not.
    let path = d.join("S.000000.journal");
    let mut bytes = std::fs::read(&path).unwrap();
    let end = (0..)
        .scan(0usize, |at, _| {
            let len = u32::from_le_bytes(bytes[*at..*at + 4].try_into().unwrap()) as usize;
            (len != 0).then(|| {
                *at += HEADER + len;
                *at
            })
        })
        .last()
        .unwrap();
    bytes[end..end + 4].copy_from_slice(&40u32.to_le_bytes());
    bytes[end + 8..end + 20].fill(0xAB);
    std::fs::write(&path, &bytes).unwrap();
    let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
    assert_eq!(s.seqs().next_out, 6);
    commit_msgs(&mut s, 6, 1);
    drop(s);
    let (s, _) = FileStore::open(&d, "S", SEG).unwrap();
    assert_eq!(s.seqs().next_out, 7);
}

#[test]
fn damage_before_the_tail_is_reported_not_truncated() {
    let d = dir("corrupt");
    {
        let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
        commit_msgs(&mut s, 1, 5);
    }
    let path = d.join("S.000000.journal");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[HEADER + 20] ^= 0xFF;
    std::fs::write(&path, &bytes).unwrap();
    match FileStore::open(&d, "S", SEG) {
        Err(StoreError::Corrupt { offset, .. }) => assert_eq!(offset, 0),
        other => panic!("expected Corrupt, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn reset_forgets_messages_and_latest_write_wins() {
    let d = dir("reset");
    let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
    commit_msgs(&mut s, 1, 3);
    let mut r = s.reader();
    s.reset().unwrap();
    assert_eq!(
        s.seqs(),
        SeqNums {
            next_in: 1,
            next_out: 1
        }
    );
    commit_msgs(&mut s, 1, 1);
    let mut got = vec![];
    r.for_each(1, 0, &mut |seq, _, b| got.push((seq, b.to_vec())))
        .unwrap();
    assert_eq!(got, [(1, b"msg-1".to_vec())]);
}

#[test]
fn reader_on_another_thread_sees_only_committed_records() {
    let d = dir("concurrent");
    let (mut s, _) = FileStore::open(&d, "S", 1 << 16).unwrap();
    let mut r = s.reader();
    let t = std::thread::spawn(move || {
        let mut last = 0;
        for _ in 0..2000 {
            let mut n = 0;
            r.for_each(1, 0, &mut |seq, _, b| {
                assert_eq!(b, format!("msg-{seq}").as_bytes());
                n += 1;
            })
            .unwrap();
            assert!(n >= last);
            last = n;
        }
    });
    commit_msgs(&mut s, 1, 2000);
    t.join().unwrap();
}

#[test]
fn flusher_makes_commits_durable() {
    let d = dir("flush");
    let (mut s, mut f) = FileStore::open(&d, "S", SEG).unwrap();
    commit_msgs(&mut s, 1, 3);
    assert!(f.sync().unwrap() > 0);
}

#[test]
fn bytes_corrupted_at_random_offsets_are_always_detected() {
    let d = dir("random");
    {
        let (mut s, _) = FileStore::open(&d, "S", SEG).unwrap();
        commit_msgs(&mut s, 1, 20);
    }
    let path = d.join("S.000000.journal");
    let clean = std::fs::read(&path).unwrap();
    let used = clean.iter().rposition(|&b| b != 0).unwrap() + 1;
    let last_record = {
        let mut at = 0;
        let mut last = 0;
        while let Ok(Some(r)) = record(&clean, at) {
            last = at;
            at += r.len;
        }
        last
    };
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..50 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let off = (x % used as u64) as usize;
        let mut bytes = clean.clone();
        bytes[off] ^= 1 << (x >> 61);
        std::fs::write(&path, &bytes).unwrap();
        match FileStore::open(&d, "S", SEG) {
            Err(StoreError::Corrupt { .. }) => assert!(off < last_record, "offset {off}"),
            // Damage inside the last record is a torn tail: it is dropped.
            Ok((s, _)) => {
                assert!(off >= last_record, "offset {off} went undetected");
                assert_eq!(s.seqs().next_out, 20);
            }
            Err(e) => panic!("offset {off}: {e}"),
        }
    }
}

#[test]
fn ranges_across_many_segments_are_read_from_the_sparse_index() {
    let d = dir("sparse");
    let (mut s, _) = FileStore::open(&d, "S", 64 << 10).unwrap();
    commit_msgs(&mut s, 1, 20_000);
    let mut r = s.reader();
    for (begin, end) in [
        (1, 5),
        (7_777, 7_800),
        (19_990, 0),
        (12_345, 12_345),
        (20_001, 0),
    ] {
        let mut got = vec![];
        r.for_each(begin, end, &mut |seq, _, b| got.push((seq, b.to_vec())))
            .unwrap();
        let last = if end == 0 { 20_000 } else { end };
        let want: Vec<_> = (begin..=last.min(20_000))
            .map(|q| (q, format!("msg-{q}").into_bytes()))
            .collect();
        assert_eq!(got, want, "range {begin}..={end}");
    }
    // Messages after a reset replace the old ones of the same seq.
    s.reset().unwrap();
    commit_msgs(&mut s, 1, 3);
    let mut got = vec![];
    r.for_each(1, 0, &mut |seq, _, _| got.push(seq)).unwrap();
    assert_eq!(got, [1, 2, 3]);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_reader_holds_no_mapping_between_calls() {
    let d = dir("unmapped");
    let (mut s, _) = FileStore::open(&d, "S", 64 << 10).unwrap();
    commit_msgs(&mut s, 1, 5_000);
    let mut r = FileReader::new(s.shared.clone());
    r.for_each(1, 0, &mut |_, _, _| ()).unwrap();
    assert!(r.maps.is_empty(), "mappings released");
    assert!(
        r.checkpoints.len() < 100,
        "{} checkpoints",
        r.checkpoints.len()
    );
    let _ = std::fs::remove_dir_all(&d);
}
