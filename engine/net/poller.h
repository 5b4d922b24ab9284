// One thread's event loop over epoll: sockets registered with a pointer of
// the caller's, woken when readable or writable, with a timeout.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <span>

namespace hsbench::net {

class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  bool ok() const { return epfd_ >= 0; }
  // Waits for readability (want_write false) or writability of fd; modify
  // changes which. Closing fd forgets it.
  void add(int fd, bool want_write, void* tag) { control(1, fd, want_write, tag); }
  void modify(int fd, bool want_write, void* tag) { control(3, fd, want_write, tag); }
  // Up to out.size() ready events within timeout_ms (0: none waiting; -1:
  // forever). The count; 0 on timeout or a signal.
  int wait(std::span<epoll_event> out, int timeout_ms);

 private:
  void control(int op, int fd, bool want_write, void* tag);
  int epfd_ = -1;
};

}  // namespace hsbench::net
