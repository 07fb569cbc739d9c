// A QuickFIX C++ SSL initiator for the TLS test (Debian libquickfix is
// built with OpenSSL; the PyPI wheel is not):
//   qf_tls_peer PORT COUNT CA CERT KEY
// logs on TW->GAPLESS (FIX.4.4) over TLS with a client certificate, sends
// COUNT NewOrderSingles and waits for their echoes; prints one JSON line;
// exits 0 when every echo came back once and in order.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <quickfix/Application.h>
#include "common.h"
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SSLSocketInitiator.h>

struct App : FIX::Application {
  std::atomic<long> got{0}, bad{0};
  std::atomic<bool> logged_on{false};
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override { logged_on = true; }
  void onLogout(const FIX::SessionID&) override { logged_on = false; }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                                                    FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                                                    FIX::IncorrectTagValue,
                                                                    FIX::UnsupportedMessageType) override {
    FIX::ClOrdID id;
    m.getField(id);
    long n = ++got;
    if (id.getValue() != "qf-" + std::to_string(n)) bad++;
  }
};

int main(int argc, char** argv) {
  if (argc < 6) { fprintf(stderr, "usage: qf_tls_peer PORT COUNT CA CERT KEY\n"); return 2; }
  long count = atol(argv[2]);
  std::string cfg = std::string("[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\n") +
                    "StartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\nResetOnLogon=Y\n" +
                    "CertificationAuthoritiesFile=" + argv[3] + "\nClientCertificateFile=" + argv[4] +
                    "\nClientCertificateKeyFile=" + argv[5] + "\nSSLProtocol=+TLSv1.2\n" +
                    "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=TW\nTargetCompID=GAPLESS\n" +
                    "SocketConnectHost=127.0.0.1\nSocketConnectPort=" + argv[1] + "\n";
  std::istringstream in(cfg);
  FIX::SessionSettings s(in);
  FIX::MemoryStoreFactory store;
  App app;
  FIX::SSLSocketInitiator initiator(app, store, s);
  initiator.start();
  for (int i = 0; !app.logged_on; i++) {
    if (i > 1000) { printf("{\"logon\":false}\n"); return 1; }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FIX::SessionID sid("FIX.4.4", "TW", "GAPLESS");
  for (long i = 1; i <= count; i++) {
    FIX::Message m = new_order(i);
    FIX::Session::sendToTarget(m, sid);
  }
  for (int i = 0; app.got < count && i < 3000; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  initiator.stop();
  printf("{\"logon\":true,\"sent\":%ld,\"echoes\":%ld,\"out_of_order\":%ld}\n", count, app.got.load(), app.bad.load());
  return app.got == count && app.bad == 0 ? 0 : 1;
}
