#include "net/poller.h"

#include <errno.h>
#include <unistd.h>

namespace hsbench::net {

Poller::Poller() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {}

Poller::~Poller() {
  if (epfd_ >= 0) ::close(epfd_);
}

void Poller::control(int op, int fd, bool want_write, void* tag) {
  static_assert(EPOLL_CTL_ADD == 1 && EPOLL_CTL_MOD == 3);
  epoll_event ev{};
  ev.events = (want_write ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP;
  ev.data.ptr = tag;
  (void)epoll_ctl(epfd_, op, fd, &ev);
}

int Poller::wait(std::span<epoll_event> out, int timeout_ms) {
  const int n = epoll_wait(epfd_, out.data(), static_cast<int>(out.size()), timeout_ms);
  return n < 0 ? 0 : n;
}

}  // namespace hsbench::net
