#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "hsbench/report.h"

namespace hsbench {
namespace {

std::string parent_dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Creates a new temporary file beside path; -1 with out_error on failure.
int make_temp_beside(const std::string& path, std::string* out_temp, std::string* out_error) {
  if (path.empty() || path.back() == '/') {
    *out_error = "cannot write '" + path + "': not a file name";
    return -1;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    *out_error = "cannot write '" + path + "': it is a directory";
    return -1;
  }
  std::string templ = parent_dir(path) + "/." + base_name(path) + ".tmp.XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  const int fd = mkstemp(buf.data());
  if (fd < 0) {
    *out_error = "cannot write '" + path + "': " + std::strerror(errno);
    return -1;
  }
  *out_temp = buf.data();
  return fd;
}

}  // namespace

bool check_file_writable(const std::string& path, std::string* out_error) {
  std::string temp;
  const int fd = make_temp_beside(path, &temp, out_error);
  if (fd < 0) return false;
  close(fd);
  unlink(temp.c_str());
  return true;
}

bool write_file_atomically(const std::string& path, std::string_view contents,
                           std::string* out_error) {
  std::string temp;
  const int fd = make_temp_beside(path, &temp, out_error);
  if (fd < 0) return false;
  auto fail = [&](const char* what) {
    *out_error = "cannot write '" + path + "': " + what + ": " + std::strerror(errno);
    close(fd);
    unlink(temp.c_str());
    return false;
  };
  // mkstemp makes the file 0600; a results file is for everyone to read.
  if (fchmod(fd, 0644) != 0) return fail("chmod");
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("fsync");
  if (close(fd) != 0) {
    *out_error = "cannot write '" + path + "': close: " + std::strerror(errno);
    unlink(temp.c_str());
    return false;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    *out_error = "cannot write '" + path + "': rename: " + std::strerror(errno);
    unlink(temp.c_str());
    return false;
  }
  return true;
}

}  // namespace hsbench
