// Benchmark (a), QuickFIX's side: parse, validate and sequence-check a
// ~220-byte FIX.4.4 ExecutionReport, as QuickFIX's Session does on receipt.
//   qf_parse FIXTURE FIX44.xml ROUNDS
// Prints one JSON line: ns per message with and without the dictionary.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <quickfix/DataDictionary.h>
#include <quickfix/Message.h>
#include "common.h"

static double run(const std::vector<std::string>& msgs, int rounds, const FIX::DataDictionary* dd) {
  auto t0 = std::chrono::steady_clock::now();
  long checked = 0;
  for (int r = 0; r < rounds; r++) {
    int expected = 1;
    for (const auto& s : msgs) {
      FIX::Message m = dd ? FIX::Message(s, *dd, true) : FIX::Message(s, true);
      if (dd) dd->validate(m);
      int seq = FIX::IntConvertor::convert(m.getHeader().getField(34));
      if (seq != expected) { fprintf(stderr, "seq %d != %d\n", seq, expected); exit(1); }
      expected++;
      checked++;
    }
  }
  auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  return ns / checked;
}

int main(int argc, char** argv) {
  if (argc < 4) { fprintf(stderr, "usage: qf_parse FIXTURE DICTIONARY ROUNDS\n"); return 2; }
  std::string body = fixture_body(argv[1]);
  std::vector<std::string> msgs;
  for (int i = 1; i <= 1000; i++) msgs.push_back(with_seq(body, i));
  FIX::DataDictionary dd(argv[2]);
  int rounds = atoi(argv[3]);
  run(msgs, 1, &dd);  // warm-up
  double with_dd = 1e18, without = 1e18;
  for (int k = 0; k < 5; k++) {
    double a = run(msgs, rounds, &dd), b = run(msgs, rounds, nullptr);
    if (a < with_dd) with_dd = a;
    if (b < without) without = b;
  }
  printf("{\"engine\":\"quickfix\",\"bytes\":%zu,\"ns_per_msg_dictionary\":%.1f,\"ns_per_msg_no_dictionary\":%.1f}\n",
         msgs[0].size(), with_dd, without);
}
