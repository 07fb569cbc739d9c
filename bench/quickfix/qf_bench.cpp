// QuickFIX side of benchmarks (b) and (c), and QuickFIX-to-QuickFIX
// throughput:
//   qf_bench acceptor PORT echo|sink file|memory DIR [EXPECT]
//       accepts TW->ISLD (FIX.4.4); `echo` sends each NewOrderSingle back,
//       `sink` counts them and, after EXPECT, prints the receive rate.
//   qf_bench initiator PORT COUNT DIR
//       sends COUNT NewOrderSingles TW->ISLD as fast as QuickFIX allows.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <quickfix/Application.h>
#include "common.h"
#include <quickfix/FileStore.h>
#include <quickfix/MessageStore.h>
#include <quickfix/NullStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/SocketInitiator.h>

using Clock = std::chrono::steady_clock;

struct App : FIX::Application {
  bool echo = false;
  long expect = 0;
  std::atomic<long> got{0};
  std::atomic<bool> logged_on{false};
  Clock::time_point first;
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override { logged_on = true; }
  void onLogout(const FIX::SessionID&) override { logged_on = false; }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                                                    FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID& sid) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                                                        FIX::IncorrectTagValue,
                                                                        FIX::UnsupportedMessageType) override {
    if (got == 0) first = Clock::now();
    long n = ++got;
    if (echo) {
      FIX::Message reply(m);
      reply.getHeader().removeField(34);
      reply.getHeader().removeField(52);
      FIX::Session::sendToTarget(reply, sid);
    }
    if (expect && n == expect) {
      double s = std::chrono::duration<double>(Clock::now() - first).count();
      printf("{\"engine\":\"quickfix\",\"bench\":\"inbound\",\"messages\":%ld,\"msgs_per_sec\":%.0f}\n", n, n / s);
      fflush(stdout);
    }
  }
};

static std::string settings(const char* type, const char* port, const char* dir, bool initiator) {
  std::string s = "[DEFAULT]\nConnectionType=" + std::string(type) + "\nFileStorePath=" + dir +
                  "\nHeartBtInt=30\nReconnectInterval=1\nStartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\n"
                  "ResetOnLogon=Y\nSocketNodelay=Y\n[SESSION]\nBeginString=FIX.4.4\n";
  if (initiator)
    s += "SenderCompID=TW\nTargetCompID=ISLD\nSocketConnectHost=127.0.0.1\nSocketConnectPort=" + std::string(port) + "\n";
  else
    s += "SenderCompID=ISLD\nTargetCompID=TW\nSocketAcceptPort=" + std::string(port) + "\n";
  return s;
}

int main(int argc, char** argv) {
  if (argc < 5) { fprintf(stderr, "see the header comment for usage\n"); return 2; }
  std::string mode = argv[1];
  App app;
  if (mode == "acceptor") {
    app.echo = std::string(argv[3]) == "echo";
    app.expect = argc > 6 ? atol(argv[6]) : 0;
    std::istringstream in(settings("acceptor", argv[2], argv[5], false));
    FIX::SessionSettings s(in);
    FIX::FileStoreFactory file(s);
    FIX::MemoryStoreFactory memory;
    FIX::MessageStoreFactory& store = std::string(argv[4]) == "file" ? (FIX::MessageStoreFactory&)file : memory;
    FIX::SocketAcceptor acceptor(app, store, s);
    acceptor.start();
    while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  long count = atol(argv[3]);
  std::istringstream in(settings("initiator", argv[2], argv[4], true));
  FIX::SessionSettings s(in);
  FIX::MemoryStoreFactory store;
  FIX::SocketInitiator initiator(app, store, s);
  initiator.start();
  for (int i = 0; !app.logged_on; i++) {
    if (i > 1000) { fprintf(stderr, "qf_bench: no logon\n"); return 1; }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FIX::SessionID sid("FIX.4.4", "TW", "ISLD");
  for (long i = 1; i <= count; i++) {
    FIX::Message m = new_order(i);
    FIX::Session::sendToTarget(m, sid);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  initiator.stop();
}
