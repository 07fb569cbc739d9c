//! The file store's recovery on arbitrary journal bytes: opening never
//! panics under any OnStoreCorruption policy, and a journal repaired by
//! `gapfill` opens cleanly afterwards with the same seqs and messages.
#![no_main]

use std::path::{Path, PathBuf};

use gapless::store::{CorruptionPolicy, FileStore, MessageStore, SeqNums, StoreError};
use libfuzzer_sys::fuzz_target;

const SEG: usize = 4096;

/// On tmpfs when there is one: the store syncs after each repair.
fn dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    base.join(format!("gapless-fuzz-journal-{}", std::process::id()))
}

fn write_journal(d: &Path, data: &[u8]) {
    let _ = std::fs::remove_dir_all(d);
    std::fs::create_dir_all(d).unwrap();
    let mut seg = data[..data.len().min(SEG)].to_vec();
    seg.resize(SEG, 0);
    std::fs::write(d.join("S.000000.journal"), seg).unwrap();
}

fn contents(s: &FileStore) -> (SeqNums, Vec<(u32, Vec<u8>)>) {
    let mut msgs = vec![];
    s.reader()
        .for_each(1, 0, &mut |seq, _, b| msgs.push((seq, b.to_vec())))
        .unwrap();
    (s.seqs(), msgs)
}

fn open(d: &Path, policy: CorruptionPolicy) -> Result<FileStore, StoreError> {
    FileStore::open_with(d, "S", SEG, policy).map(|(s, _)| s)
}

fuzz_target!(|data: &[u8]| {
    let d = dir();
    write_journal(&d, data);
    let refused = open(&d, CorruptionPolicy::Refuse).map(|s| contents(&s));
    write_journal(&d, data);
    if let Ok(s) = open(&d, CorruptionPolicy::GapFill) {
        let repaired = contents(&s);
        drop(s);
        if let Ok(clean) = &refused {
            assert_eq!(clean, &repaired, "gapfill changed a sound journal");
        }
        let again = open(&d, CorruptionPolicy::Refuse).expect("a repaired journal opens");
        assert_eq!(contents(&again), repaired);
    }
    write_journal(&d, data);
    if let Ok(s) = open(&d, CorruptionPolicy::Reset) {
        if refused.is_err() {
            assert_eq!((s.seqs().next_in, s.seqs().next_out), (1, 1));
        }
    }
    let _ = std::fs::remove_dir_all(&d);
});
