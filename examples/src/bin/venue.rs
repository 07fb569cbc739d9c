//! A small venue: `venue CONFIG`. Answers every NewOrderSingle with an
//! ExecutionReport (new, fully filled at 1.00), replies on the hot path
//! from inside the Application, and runs until SIGINT/SIGTERM (then logs
//! every session out).

use gapless::codec::message::Message;
use gapless::launch::EngineBuilder;
use gapless::session::{AppReject, Application, Sender};

/// One venue session.
#[derive(Default)]
struct Venue {
    next_id: u64,
}

impl Application for Venue {
    fn on_message(&mut self, msg: &Message, tx: &mut Sender) -> Result<(), AppReject> {
        if msg.msg_type() != b"D" {
            return Err(AppReject::UnsupportedMessageType);
        }
        let field = |tag| msg.get(tag).unwrap_or(b"");
        self.next_id += 1;
        let id = self.next_id;
        tx.send(b"8", |b| {
            b.str(11, field(11))
                .uint(37, id)
                .uint(17, id)
                .char(150, b'F')
                .char(39, b'2')
                .str(55, field(55))
                .str(54, field(54))
                .str(38, field(38))
                .str(32, field(38))
                .str(31, b"1.00")
                .uint(151, 0)
                .str(14, field(38))
                .str(6, b"1.00");
            gapless_examples::timestamp(b, 60);
        });
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    let Some(config) = std::env::args().nth(1) else {
        eprintln!("usage: venue CONFIG");
        return std::process::ExitCode::FAILURE;
    };
    // Before the engine spawns its threads, so they inherit the mask.
    let signals = match gapless::signals::StopSignals::block() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("venue: cannot block SIGINT/SIGTERM: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let engine =
        EngineBuilder::from_file(&config).and_then(|b| b.start(|_| Box::new(Venue::default())));
    let engine = match engine {
        Ok(e) => e,
        Err(e) => {
            eprintln!("venue: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    signals.wait(None);
    signals.unblock();
    engine.stop();
    std::process::ExitCode::SUCCESS
}
