// Atomic output files: the new contents or the old, never half, and no
// temporary left behind.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "hsbench/report.h"

namespace hsbench {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/hsbench-file-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    DIR* d = opendir(dir_.c_str());
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") unlink((dir_ + "/" + n).c_str());
    }
    closedir(d);
    rmdir(dir_.c_str());
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    DIR* d = opendir(dir_.c_str());
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    closedir(d);
    return out;
  }
  static std::string contents(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string dir_;
};

TEST_F(FileTest, WritesAndReplaces) {
  const std::string path = dir_ + "/out.json";
  std::string error;
  ASSERT_TRUE(write_file_atomically(path, "first\n", &error)) << error;
  EXPECT_EQ(contents(path), "first\n");
  ASSERT_TRUE(write_file_atomically(path, "second\n", &error)) << error;
  EXPECT_EQ(contents(path), "second\n");
  EXPECT_EQ(entries(), std::vector<std::string>{"out.json"});
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(FileTest, CheckLeavesNothingBehind) {
  std::string error;
  EXPECT_TRUE(check_file_writable(dir_ + "/x.json", &error)) << error;
  EXPECT_TRUE(entries().empty());
}

TEST_F(FileTest, MissingDirectoryFailsInOneLine) {
  std::string error;
  EXPECT_FALSE(check_file_writable(dir_ + "/no/such/dir/x.json", &error));
  EXPECT_NE(error.find("x.json"), std::string::npos);
  EXPECT_EQ(error.find('\n'), std::string::npos);
  error.clear();
  EXPECT_FALSE(write_file_atomically(dir_ + "/no/such/dir/x.json", "x", &error));
  EXPECT_FALSE(error.empty());
}

TEST_F(FileTest, DirectoryIsNotAFile) {
  std::string error;
  EXPECT_FALSE(check_file_writable(dir_, &error));
  EXPECT_NE(error.find("directory"), std::string::npos);
  EXPECT_FALSE(check_file_writable(dir_ + "/", &error));
}

}  // namespace
}  // namespace hsbench
