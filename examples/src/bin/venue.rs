//! A small venue: `venue CONFIG`. Answers every NewOrderSingle with an
//! ExecutionReport (new, fully filled at 1.00), replies on the hot path
//! from inside the Application, and runs until SIGINT/SIGTERM (then logs
//! every session out).

use gapless::codec::message::Message;
use gapless::codec::time::{self, Precision};
use gapless::fields::fix44::messages::{ExecutionReport, NewOrderSingleView};
use gapless::fields::fix44::{self as tag, ExecType, OrdStatus};
use gapless::fields::Decimal;
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
        let order = NewOrderSingleView(msg);
        let (Some(side), Some(qty)) = (order.side(), order.order_qty()) else {
            return Err(AppReject::Business {
                reason: 5, // conditionally required field missing
                ref_tag: Some(if order.side().is_none() { 54 } else { 38 }),
                text: "Side(54) and OrderQty(38) are required",
            });
        };
        self.next_id += 1;
        let id = self.next_id;
        let px = Decimal::new(100, 2);
        tx.send(ExecutionReport::MSG_TYPE, |b| {
            let mut er = ExecutionReport(b);
            er.cl_ord_id(order.cl_ord_id().unwrap_or_default())
                .0
                .uint(tag::ORDER_ID, id)
                .uint(tag::EXEC_ID, id);
            er.exec_type(ExecType::Trade)
                .ord_status(OrdStatus::Filled)
                .symbol(order.symbol().unwrap_or_default())
                .side(side)
                .order_qty(qty)
                .last_qty(qty)
                .last_px(px)
                .leaves_qty(Decimal::new(0, 0))
                .cum_qty(qty)
                .avg_px(px)
                .transact_time(time::now(), Precision::Millis);
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
