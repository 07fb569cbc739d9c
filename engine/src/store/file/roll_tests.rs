//! Rolls with a store thread: the writer swaps in a prepared segment and
//! makes no file or mapping system call; without a spare it refuses
//! (counted) instead of blocking.

use std::time::{Duration, Instant};

use super::*;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gapless-roll-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

const SEG: usize = 1 << 16;
const MSG: [u8; 200] = [b'x'; 200];

/// Runs the store thread's rounds until `done` (bounded); how many it took.
fn tick_until(
    thread: &mut spare::StoreThread,
    done: impl Fn(&spare::StoreThread) -> bool,
) -> usize {
    let mut rounds = 0;
    while !done(thread) {
        assert!(thread.tick(), "the store thread had work left");
        rounds += 1;
        assert!(rounds < 10_000, "never done");
    }
    rounds
}

fn commit_one(s: &mut FileStore, seq: u32) -> Result<(), StoreError> {
    s.append(seq, 0, &MSG)?;
    s.commit(SeqNums {
        next_in: seq,
        next_out: seq + 1,
    })
}

/// Installs a seccomp filter on the calling thread (only) that fails every
/// system call creating, sizing, mapping, unmapping or syncing a file with
/// EPERM. The store's errors then surface as `StoreError::Io`, and a
/// failed `munmap` panics (`Map::drop`'s debug assertion).
#[cfg(target_arch = "x86_64")]
fn forbid_file_syscalls() {
    let denied = [
        libc::SYS_open,
        libc::SYS_openat,
        libc::SYS_creat,
        libc::SYS_ftruncate,
        libc::SYS_fallocate,
        libc::SYS_mmap,
        libc::SYS_munmap,
        libc::SYS_mremap,
        libc::SYS_msync,
        libc::SYS_fsync,
        libc::SYS_fdatasync,
    ];
    const LD_NR: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS: seccomp_data.nr
    const JEQ: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RET: u16 = 0x06; // BPF_RET | BPF_K
    let n = denied.len();
    let mut prog = vec![libc::sock_filter {
        code: LD_NR,
        jt: 0,
        jf: 0,
        k: 0,
    }];
    for (i, nr) in denied.iter().enumerate() {
        // Jump over the remaining comparisons and the ALLOW to the ERRNO.
        let to_deny = (n - i) as u8;
        prog.push(libc::sock_filter {
            code: JEQ,
            jt: to_deny,
            jf: 0,
            k: *nr as u32,
        });
    }
    prog.push(libc::sock_filter {
        code: RET,
        jt: 0,
        jf: 0,
        k: libc::SECCOMP_RET_ALLOW,
    });
    prog.push(libc::sock_filter {
        code: RET,
        jt: 0,
        jf: 0,
        k: libc::SECCOMP_RET_ERRNO | libc::EPERM as u32,
    });
    let fprog = libc::sock_fprog {
        len: prog.len() as u16,
        filter: prog.as_mut_ptr(),
    };
    // SAFETY: plain prctl calls; `fprog` points at `prog`, alive for the
    // call (the kernel copies the program).
    unsafe {
        assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        let rc = libc::prctl(
            libc::PR_SET_SECCOMP,
            libc::SECCOMP_MODE_FILTER,
            &fprog as *const libc::sock_fprog,
        );
        assert_eq!(rc, 0, "seccomp: {}", std::io::Error::last_os_error());
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn a_roll_with_the_store_thread_makes_no_file_or_mapping_syscall_on_the_writer() {
    let d = dir("nosyscall");
    let opts = StoreOptions {
        segment_bytes: SEG,
        ..StoreOptions::default()
    };
    let s = FileStore::open_with_thread(&d, "S", &opts).unwrap();
    let writer = std::thread::spawn(move || {
        let mut s = s;
        let room = s.room().expect("a store thread runs");
        // The filter itself proves it works: creating a file now fails.
        forbid_file_syscalls();
        assert!(std::fs::File::create(d.join("probe")).is_err());
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seq = 1;
        while s.rolls < 5 && Instant::now() < deadline {
            if !room.has_room() {
                std::thread::yield_now();
                continue;
            }
            commit_one(&mut s, seq).expect("a commit without file syscalls");
            seq += 1;
        }
        (s, seq, d)
    });
    let (s, seq, d) = writer.join().expect("the writer made no denied syscall");
    assert!(s.rolls >= 5, "rolled {} times", s.rolls);
    assert_eq!((s.inline_rolls, s.spare_misses, s.unmaps_inline), (0, 0, 0));
    let mut n = 0;
    s.reader()
        .for_each(1, 0, &mut |got, _, b| {
            n += 1;
            assert_eq!((got, b), (n, &MSG[..]));
        })
        .unwrap();
    assert_eq!(n, seq - 1, "every message is in the journal, in order");
    drop(s);
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn without_a_spare_a_full_segment_refuses_the_commit_and_counts_it() {
    let d = dir("nospare");
    let (mut s, flusher) = FileStore::open(&d, "S", SEG).unwrap();
    let (link, mut thread) = spare::link(s.shared.clone(), flusher, FsyncPolicy::Never, None);
    s.spares = Some(link);
    let room = s.room().unwrap();
    let mut seq = 1;
    while room.has_room() {
        commit_one(&mut s, seq).unwrap();
        seq += 1;
    }
    // No room: still below the segment's end, so a commit fits...
    commit_one(&mut s, seq).unwrap();
    seq += 1;
    // ...until the segment is full and no spare is ready.
    let refused = loop {
        match commit_one(&mut s, seq) {
            Ok(()) => seq += 1,
            Err(e) => break e,
        }
    };
    assert!(matches!(refused, StoreError::NoSpareSegment), "{refused}");
    assert_eq!((s.rolls, s.spare_misses), (0, 1));
    // The store thread's next rounds make the spare ready, a slice of
    // pages per round.
    let rounds = tick_until(&mut thread, |_| room.has_room());
    assert_eq!(rounds, (SEG / 4096).div_ceil(spare::SLICE_PAGES));
    s.commit(SeqNums {
        next_in: seq,
        next_out: seq + 1,
    })
    .expect("the refused transaction, committed again");
    assert_eq!((s.rolls, s.inline_rolls), (1, 0));
    drop(s);
    let (s, _) = FileStore::open(&d, "S", SEG).unwrap();
    assert_eq!(
        s.seqs().next_out,
        seq + 1,
        "the refused transaction was kept and committed"
    );
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn an_untouched_spare_after_a_torn_tail_leaves_it_a_torn_tail() {
    let d = dir("spare-torn");
    let (mut s, flusher) = FileStore::open(&d, "S", SEG).unwrap();
    let (link, mut thread) = spare::link(s.shared.clone(), flusher, FsyncPolicy::Never, None);
    s.spares = Some(link);
    for seq in 1..=3 {
        commit_one(&mut s, seq).unwrap();
    }
    let shared = s.shared.clone();
    tick_until(&mut thread, |_| {
        shared.spare_segment.load(Ordering::Acquire) == 1
    });
    let end = s.offset;
    drop((s, thread));
    // Tear the last record: its length survives, its payload does not.
    let path = d.join("S.000000.journal");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[end - 10] ^= 0xff;
    std::fs::write(&path, bytes).unwrap();
    assert!(d.join("S.000001.journal").exists());
    let (s, _) = FileStore::open(&d, "S", SEG).expect("a torn tail, not damage");
    assert_eq!(s.seqs().next_out, 3);
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn the_store_thread_prepares_and_releases_a_segment_a_slice_of_pages_per_round() {
    const BIG: usize = 1 << 20;
    let slices = (BIG / 4096).div_ceil(spare::SLICE_PAGES);
    let d = dir("slices");
    let (mut s, flusher) = FileStore::open(&d, "S", BIG).unwrap();
    let (link, mut thread) = spare::link(s.shared.clone(), flusher, FsyncPolicy::Never, None);
    s.spares = Some(link);
    let shared = s.shared.clone();
    let spare = |n| {
        let shared = shared.clone();
        move |t: &spare::StoreThread| {
            !t.in_progress() && shared.spare_segment.load(Ordering::Acquire) == n
        }
    };
    assert_eq!(tick_until(&mut thread, spare(1)), slices);
    let mut seq = 1;
    while s.rolls == 0 {
        commit_one(&mut s, seq).unwrap();
        seq += 1;
    }
    // The retired segment 0 is unmapped while segment 2 is pre-faulted,
    // both a slice per round.
    assert_eq!(tick_until(&mut thread, spare(2)), slices);
    assert_eq!(s.unmaps_inline, 0);
    drop(s);
    let _ = std::fs::remove_dir_all(d);
}
