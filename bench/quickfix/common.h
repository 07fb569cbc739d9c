// Shared by the QuickFIX benchmarks: fixture loading and message building.
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>
#include <quickfix/Message.h>

// The fixture's body (from 35= up to, not including, 10=).
inline std::string fixture_body(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string m = ss.str();
  size_t b = m.find("\x01" "35=") + 1;
  size_t e = m.rfind("10=");
  return m.substr(b, e - b);
}

// A whole frame with MsgSeqNum `seq` in place of the fixture's 34=2.
inline std::string with_seq(const std::string& body, int seq) {
  std::string b = body;
  size_t at = b.find("\x01" "34=") + 4;
  size_t end = b.find('\x01', at);
  b.replace(at, end - at, std::to_string(seq));
  std::string m = "8=FIX.4.4\x01" "9=" + std::to_string(b.size()) + "\x01" + b;
  unsigned sum = 0;
  for (unsigned char c : m) sum += c;
  char cs[8];
  snprintf(cs, sizeof cs, "%03u", sum % 256);
  return m + "10=" + cs + "\x01";
}

// NewOrderSingle number `i` (ClOrdID `qf-<i>`), as the QuickFIX peers send.
inline FIX::Message new_order(long i) {
  FIX::Message m;
  m.getHeader().setField(FIX::MsgType("D"));
  m.setField(FIX::ClOrdID("qf-" + std::to_string(i)));
  m.setField(FIX::HandlInst('1'));
  m.setField(FIX::Symbol("GPLS"));
  m.setField(FIX::Side('1'));
  m.setField(FIX::TransactTime());
  m.setField(FIX::OrdType('1'));
  m.setField(FIX::OrderQty(100));
  return m;
}
