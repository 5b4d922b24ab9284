// hsbench serve on a thread of the test (run_serve until stop()), on
// 127.0.0.1 at a port the kernel picks, and the project PKI of a kind: for
// tests that put a client against it in the same process.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "hsbench/network.h"
#include "hsbench/pki.h"

namespace hsbench::test {

inline std::unique_ptr<Pki> default_pki(const std::string& kind) {
  std::string error;
  auto pki = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
  EXPECT_NE(pki, nullptr) << error;
  return pki;
}

class ServeThread {
 public:
  // Returns once the server listens (address()), or has failed to start
  // (address() empty, stop() gives the skipped result).
  ServeThread(const Scenario& scenario, Backend& backend, const Pki& pki, EngineKind engine,
              std::string response) {
    options_.listen = "127.0.0.1:0";
    options_.engine = engine;
    options_.stop = &stop_;
    options_.timeout_s = 5;
    options_.response = std::move(response);
    std::promise<std::string> listening;
    std::future<std::string> address = listening.get_future();
    options_.on_listening = [&listening](const std::string& a) { listening.set_value(a); };
    thread_ = std::thread([&, this] {
      result_ = run_serve(scenario, backend, pki, options_);
      if (result_.skipped) listening.set_value("");
    });
    address_ = address.get();
  }
  ~ServeThread() { stop(); }
  ServeThread(const ServeThread&) = delete;
  ServeThread& operator=(const ServeThread&) = delete;

  const std::string& address() const { return address_; }
  std::string port() const { return address_.substr(address_.rfind(':') + 1); }
  const Result& stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return result_;
  }

 private:
  std::atomic<bool> stop_{false};
  ServeOptions options_;
  std::string address_;
  Result result_;
  std::thread thread_;
};

}  // namespace hsbench::test
