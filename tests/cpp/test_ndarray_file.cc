// The NDArray file format through the C ABI: round trips (list, dict, every
// dtype, none arrays, 0-d and empty arrays), byte layouts built by hand from
// the format description (DESIGN.md section 9), corrupt and truncated input
// (every prefix of a small file fails cleanly), and handle accounting.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "c_api.h"

namespace {

std::string last_message(int32_t* kind = nullptr) {
  uint64_t needed = 0;
  mxl_last_error(kind, nullptr, 0, &needed);
  std::string s(needed, '\0');
  mxl_last_error(kind, &s[0], needed, nullptr);
  s.resize(needed ? needed - 1 : 0);
  return s;
}

// Little-endian byte builder for hand-made files.
struct Bytes {
  std::vector<char> b;
  template <typename T>
  Bytes& put(T v) {
    const char* p = reinterpret_cast<const char*>(&v);
    b.insert(b.end(), p, p + sizeof(T));
    return *this;
  }
  Bytes& raw(const void* p, size_t n) {
    b.insert(b.end(), static_cast<const char*>(p), static_cast<const char*>(p) + n);
    return *this;
  }
};

mxl_array_t* make_f32(std::vector<int64_t> shape, const std::vector<float>& data) {
  mxl_array_t* a = nullptr;
  EXPECT_EQ(mxl_array_create(shape.data(), static_cast<int32_t>(shape.size()), MXL_FLOAT32,
                             MXL_DEVICE_CPU, 0, &a),
            MXL_OK);
  EXPECT_EQ(mxl_array_copy_from_host(a, data.data(), data.size() * sizeof(float)), MXL_OK);
  return a;
}

std::vector<char> host_bytes(mxl_array_t* a) {
  int64_t n = 0, nbytes = 0;
  EXPECT_EQ(mxl_array_size(a, &n, &nbytes), MXL_OK);
  std::vector<char> v(nbytes);
  EXPECT_EQ(mxl_array_copy_to_host(a, v.data(), nbytes), MXL_OK);
  return v;
}

std::vector<int64_t> shape_of(mxl_array_t* a) {
  int32_t ndim = 0;
  int64_t dims[32];
  EXPECT_EQ(mxl_array_shape(a, &ndim, dims, 32), MXL_OK);
  return std::vector<int64_t>(dims, dims + ndim);
}

std::vector<char> save_bytes(std::vector<mxl_array_t*> arrays, const char* const* names) {
  uint64_t needed = 0;
  EXPECT_EQ(mxl_arrays_save_buffer(static_cast<int32_t>(arrays.size()), arrays.data(), names,
                                   nullptr, 0, &needed),
            MXL_OK);
  std::vector<char> buf(needed);
  EXPECT_EQ(mxl_arrays_save_buffer(static_cast<int32_t>(arrays.size()), arrays.data(), names,
                                   buf.data(), buf.size(), &needed),
            MXL_OK);
  return buf;
}

mxl_array_list_t* load_bytes(const std::vector<char>& b) {
  mxl_array_list_t* l = nullptr;
  EXPECT_EQ(mxl_arrays_load_buffer(b.data(), b.size(), &l), MXL_OK) << last_message();
  return l;
}

std::string name_at(mxl_array_list_t* l, int32_t i, mxl_array_t** out) {
  uint64_t needed = 0;
  mxl_array_t* tmp = nullptr;
  EXPECT_EQ(mxl_array_list_get(l, i, &tmp, nullptr, 0, &needed), MXL_OK);
  mxl_array_free(tmp);
  std::string s(needed, '\0');
  EXPECT_EQ(mxl_array_list_get(l, i, out, &s[0], needed, nullptr), MXL_OK);
  s.resize(needed - 1);
  return s;
}

Bytes header(uint64_t n) {
  Bytes b;
  b.put<uint64_t>(0x112).put<uint64_t>(0).put<uint64_t>(n);
  return b;
}

TEST(NDArrayFile, DictRoundTripMatchesHandBuiltBytes) {
  int64_t live0 = 0, live1 = 0;
  mxl_live_handles(&live0);
  mxl_array_t* a = make_f32({2, 3}, {0, 1, 2, 3, 4, 5});
  mxl_array_t* b = make_f32({1}, {7});
  const char* names[] = {"arg:fc1_weight", "features.0.bias"};
  std::vector<char> got = save_bytes({a, b}, names);

  Bytes want = header(2);
  want.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(2).put<int64_t>(2).put<int64_t>(3);
  want.put<int32_t>(1).put<int32_t>(0).put<int32_t>(0);
  float av[] = {0, 1, 2, 3, 4, 5};
  want.raw(av, sizeof(av));
  want.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(1).put<int64_t>(1);
  want.put<int32_t>(1).put<int32_t>(0).put<int32_t>(0).put<float>(7);
  want.put<uint64_t>(2).put<uint64_t>(14).raw("arg:fc1_weight", 14);
  want.put<uint64_t>(15).raw("features.0.bias", 15);
  EXPECT_EQ(got, want.b);

  mxl_array_list_t* l = load_bytes(got);
  int32_t num = 0, has_names = 0;
  ASSERT_EQ(mxl_array_list_size(l, &num, &has_names), MXL_OK);
  EXPECT_EQ(num, 2);
  EXPECT_EQ(has_names, 1);
  mxl_array_t* x = nullptr;
  EXPECT_EQ(name_at(l, 0, &x), "arg:fc1_weight");
  EXPECT_EQ(shape_of(x), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(host_bytes(x), host_bytes(a));
  mxl_array_list_free(l);  // x outlives the list
  EXPECT_EQ(host_bytes(x), host_bytes(a));
  mxl_array_free(x);
  mxl_array_free(a);
  mxl_array_free(b);
  mxl_live_handles(&live1);
  EXPECT_EQ(live0, live1);
}

TEST(NDArrayFile, EveryDtypeRoundTripsThroughAFile) {
  const int32_t codes[] = {MXL_FLOAT32, MXL_FLOAT64, MXL_FLOAT16, MXL_UINT8,
                           MXL_INT8,    MXL_INT32,   MXL_INT64,   MXL_BOOL};
  std::vector<mxl_array_t*> arrays;
  for (int32_t code : codes) {
    int64_t shape[] = {3, 2};
    mxl_array_t* a = nullptr;
    ASSERT_EQ(mxl_array_create(shape, 2, code, MXL_DEVICE_CPU, 0, &a), MXL_OK);
    int64_t n, nbytes;
    mxl_array_size(a, &n, &nbytes);
    std::vector<unsigned char> data(nbytes);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 37 + 1);
    if (code == MXL_BOOL)
      for (auto& c : data) c &= 1;
    ASSERT_EQ(mxl_array_copy_from_host(a, data.data(), data.size()), MXL_OK);
    arrays.push_back(a);
  }
  std::string path = ::testing::TempDir() + "/mxl_dtypes.params";
  ASSERT_EQ(mxl_arrays_save(path.c_str(), static_cast<int32_t>(arrays.size()), arrays.data(),
                            nullptr),
            MXL_OK);
  mxl_array_list_t* l = nullptr;
  ASSERT_EQ(mxl_arrays_load(path.c_str(), &l), MXL_OK) << last_message();
  int32_t num = 0, has_names = 1;
  mxl_array_list_size(l, &num, &has_names);
  ASSERT_EQ(num, 8);
  EXPECT_EQ(has_names, 0);
  for (int32_t i = 0; i < num; ++i) {
    mxl_array_t* x = nullptr;
    EXPECT_EQ(name_at(l, i, &x), "");
    int32_t dt = 0;
    mxl_array_dtype(x, &dt);
    EXPECT_EQ(dt, codes[i]);
    EXPECT_EQ(host_bytes(x), host_bytes(arrays[i]));
    mxl_array_free(x);
  }
  mxl_array_list_free(l);
  for (auto* a : arrays) mxl_array_free(a);
  std::remove(path.c_str());
}

TEST(NDArrayFile, NoneScalarAndEmptyArrays) {
  int64_t zero_shape[] = {2, 0};
  mxl_array_t* empty = nullptr;
  ASSERT_EQ(mxl_array_create(zero_shape, 2, MXL_FLOAT32, MXL_DEVICE_CPU, 0, &empty), MXL_OK);
  mxl_array_t* scalar = nullptr;
  ASSERT_EQ(mxl_array_create(nullptr, 0, MXL_FLOAT32, MXL_DEVICE_CPU, 0, &scalar), MXL_OK);
  float three = 3;
  mxl_array_copy_from_host(scalar, &three, 4);
  std::vector<char> got = save_bytes({nullptr, scalar, empty}, nullptr);

  Bytes want = header(3);
  want.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(0);  // none
  want.put<uint32_t>(0xF993FACA).put<int32_t>(0).put<int32_t>(0);  // 0-d: numpy-shape record
  want.put<int32_t>(1).put<int32_t>(0).put<int32_t>(0).put<float>(3);
  want.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(2).put<int64_t>(2).put<int64_t>(0);
  want.put<int32_t>(1).put<int32_t>(0).put<int32_t>(0);
  want.put<uint64_t>(0);
  EXPECT_EQ(got, want.b);

  mxl_array_list_t* l = load_bytes(got);
  mxl_array_t* x = reinterpret_cast<mxl_array_t*>(0x1);
  ASSERT_EQ(mxl_array_list_get(l, 0, &x, nullptr, 0, nullptr), MXL_OK);
  EXPECT_EQ(x, nullptr);  // none loads as a NULL handle
  ASSERT_EQ(mxl_array_list_get(l, 1, &x, nullptr, 0, nullptr), MXL_OK);
  EXPECT_TRUE(shape_of(x).empty());
  float v = 0;
  mxl_array_copy_to_host(x, &v, 4);
  EXPECT_EQ(v, 3);
  mxl_array_free(x);
  ASSERT_EQ(mxl_array_list_get(l, 2, &x, nullptr, 0, nullptr), MXL_OK);
  EXPECT_EQ(shape_of(x), (std::vector<int64_t>{2, 0}));
  mxl_array_free(x);
  mxl_array_list_free(l);
  mxl_array_free(scalar);
  mxl_array_free(empty);
}

TEST(NDArrayFile, OlderLayoutsAndNoneForms) {
  Bytes f = header(6);
  // V1: no stype, int64 dims.
  f.put<uint32_t>(0xF993FAC8).put<int32_t>(1).put<int64_t>(2);
  f.put<int32_t>(1).put<int32_t>(0).put<int32_t>(0).put<float>(1).put<float>(2);
  // No magic: u32 ndim, u32 dims; saved on a GPU (loads on the CPU).
  f.put<uint32_t>(2).put<uint32_t>(1).put<uint32_t>(2);
  f.put<int32_t>(2).put<int32_t>(0).put<int32_t>(4).put<int32_t>(5).put<int32_t>(6);
  // Legacy none (ndim 0), V2 none with ndim -1, V3 none with ndim -1, V3 with an unknown extent.
  f.put<uint32_t>(0);
  f.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(-1);
  f.put<uint32_t>(0xF993FACA).put<int32_t>(0).put<int32_t>(-1);
  f.put<uint32_t>(0xF993FACA).put<int32_t>(0).put<int32_t>(2).put<int64_t>(3).put<int64_t>(-1);
  f.put<uint64_t>(0);
  mxl_array_list_t* l = load_bytes(f.b);
  mxl_array_t* x = nullptr;
  ASSERT_EQ(mxl_array_list_get(l, 0, &x, nullptr, 0, nullptr), MXL_OK);
  EXPECT_EQ(shape_of(x), (std::vector<int64_t>{2}));
  float two[2];
  mxl_array_copy_to_host(x, two, 8);
  EXPECT_EQ(two[1], 2);
  mxl_array_free(x);
  ASSERT_EQ(mxl_array_list_get(l, 1, &x, nullptr, 0, nullptr), MXL_OK);
  EXPECT_EQ(shape_of(x), (std::vector<int64_t>{1, 2}));
  int32_t dt = 0;
  mxl_array_dtype(x, &dt);
  EXPECT_EQ(dt, MXL_INT32);
  mxl_array_free(x);
  for (int i = 2; i < 6; ++i) {
    x = reinterpret_cast<mxl_array_t*>(0x1);
    ASSERT_EQ(mxl_array_list_get(l, i, &x, nullptr, 0, nullptr), MXL_OK);
    EXPECT_EQ(x, nullptr) << i;
  }
  mxl_array_list_free(l);
}

TEST(NDArrayFile, WidenedDtypes) {
  Bytes f = header(3);
  auto rec = [&](int32_t flag, int64_t n) {
    f.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(1).put<int64_t>(n);
    f.put<int32_t>(1).put<int32_t>(0).put<int32_t>(flag);
  };
  rec(12, 2);  // bfloat16 1.5, -2
  f.put<uint16_t>(0x3FC0).put<uint16_t>(0xC000);
  rec(8, 2);  // int16
  f.put<int16_t>(-7).put<int16_t>(300);
  rec(10, 1);  // uint32
  f.put<uint32_t>(4000000000u);
  f.put<uint64_t>(0);
  mxl_array_list_t* l = load_bytes(f.b);
  mxl_array_t* x = nullptr;
  int32_t dt = 0;
  mxl_array_list_get(l, 0, &x, nullptr, 0, nullptr);
  mxl_array_dtype(x, &dt);
  EXPECT_EQ(dt, MXL_FLOAT32);
  float fv[2];
  mxl_array_copy_to_host(x, fv, 8);
  EXPECT_EQ(fv[0], 1.5f);
  EXPECT_EQ(fv[1], -2.0f);
  mxl_array_free(x);
  mxl_array_list_get(l, 1, &x, nullptr, 0, nullptr);
  int32_t iv[2];
  mxl_array_copy_to_host(x, iv, 8);
  EXPECT_EQ(iv[0], -7);
  EXPECT_EQ(iv[1], 300);
  mxl_array_free(x);
  mxl_array_list_get(l, 2, &x, nullptr, 0, nullptr);
  int64_t lv = 0;
  mxl_array_copy_to_host(x, &lv, 8);
  EXPECT_EQ(lv, 4000000000LL);
  mxl_array_free(x);
  mxl_array_list_free(l);

  Bytes g = header(1);
  g.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(1).put<int64_t>(1);
  g.put<int32_t>(1).put<int32_t>(0).put<int32_t>(11).put<uint64_t>(~0ull).put<uint64_t>(0);
  mxl_array_list_t* bad = reinterpret_cast<mxl_array_list_t*>(0x1);
  EXPECT_EQ(mxl_arrays_load_buffer(g.b.data(), g.b.size(), &bad), MXL_ERR_VALUE);
  EXPECT_EQ(bad, reinterpret_cast<mxl_array_list_t*>(0x1));
  EXPECT_NE(last_message().find("does not fit"), std::string::npos) << last_message();
}

// Every strict prefix of a valid file fails with VALUE and a message naming
// the buffer and an offset; no handle leaks.
TEST(NDArrayFile, EveryTruncationFailsCleanly) {
  mxl_array_t* a = make_f32({2, 2}, {1, 2, 3, 4});
  const char* names[] = {"w"};
  std::vector<char> full = save_bytes({a}, names);
  mxl_array_free(a);
  int64_t live0 = 0, live1 = 0;
  mxl_live_handles(&live0);
  for (size_t n = 0; n < full.size(); ++n) {
    // A heap copy of exactly n bytes, so an over-read is visible to ASan.
    std::vector<char> part(full.begin(), full.begin() + n);
    mxl_array_list_t* l = reinterpret_cast<mxl_array_list_t*>(0x1);
    int rc = mxl_arrays_load_buffer(n ? part.data() : nullptr, n, &l);
    ASSERT_EQ(rc, MXL_ERR_VALUE) << "prefix of " << n << " bytes";
    EXPECT_EQ(l, reinterpret_cast<mxl_array_list_t*>(0x1));
    std::string msg = last_message();
    EXPECT_NE(msg.find("buffer is truncated"), std::string::npos) << msg;
    EXPECT_NE(msg.find("offset"), std::string::npos) << msg;
  }
  mxl_live_handles(&live1);
  EXPECT_EQ(live0, live1);
}

TEST(NDArrayFile, CorruptInputNamesTheProblem) {
  auto expect_error = [](const Bytes& f, int kind, const char* part) {
    mxl_array_list_t* l = nullptr;
    EXPECT_EQ(mxl_arrays_load_buffer(f.b.data(), f.b.size(), &l), kind);
    std::string msg = last_message();
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
  };
  Bytes wrong_header;
  wrong_header.put<uint64_t>(0x113).put<uint64_t>(0).put<uint64_t>(0).put<uint64_t>(0);
  expect_error(wrong_header, MXL_ERR_VALUE, "expected 0x112");
  Bytes bad_magic = header(1);
  bad_magic.put<uint32_t>(0xDEADBEEF).put<uint64_t>(0);
  expect_error(bad_magic, MXL_ERR_VALUE, "expected 0xF993FAC9");
  Bytes bad_dtype = header(1);
  bad_dtype.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(1).put<int64_t>(1);
  bad_dtype.put<int32_t>(1).put<int32_t>(0).put<int32_t>(42).put<float>(0).put<uint64_t>(0);
  expect_error(bad_dtype, MXL_ERR_VALUE, "dtype flag is 42");
  Bytes huge = header(1);  // extents whose product overflows int64
  huge.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(3);
  huge.put<int64_t>(1LL << 40).put<int64_t>(1LL << 40).put<int64_t>(1LL << 40);
  huge.put<int32_t>(1).put<int32_t>(0).put<int32_t>(0).put<uint64_t>(0);
  expect_error(huge, MXL_ERR_VALUE, "needs over 2^64 bytes");
  Bytes wraps = header(1);  // 2^32 * 2^32 wraps to 0 in 64 bits
  wraps.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(2);
  wraps.put<int64_t>(1LL << 32).put<int64_t>(1LL << 32);
  wraps.put<int32_t>(1).put<int32_t>(0).put<int32_t>(3).put<uint64_t>(0);
  expect_error(wraps, MXL_ERR_VALUE, "needs over 2^64 bytes");
  Bytes huge_count = header(1ull << 60);
  expect_error(huge_count, MXL_ERR_VALUE, "array count");
  Bytes names = header(1);
  names.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(0).put<uint64_t>(2);
  expect_error(names, MXL_ERR_VALUE, "name count 2");
  Bytes sparse = header(1);
  sparse.put<uint32_t>(0xF993FAC9).put<int32_t>(2).put<uint64_t>(0);
  expect_error(sparse, MXL_ERR_NOT_IMPLEMENTED, "csr");
  Bytes rank = header(1);
  rank.put<uint32_t>(0xF993FAC9).put<int32_t>(0).put<int32_t>(40).put<uint64_t>(0);
  expect_error(rank, MXL_ERR_VALUE, "rank is 40");

  mxl_array_list_t* l = nullptr;
  EXPECT_EQ(mxl_arrays_load("/nonexistent/dir/x.params", &l), MXL_ERR_VALUE);
  EXPECT_NE(last_message().find("/nonexistent/dir/x.params"), std::string::npos);
  std::string path = ::testing::TempDir() + "/mxl_trunc.params";
  FILE* fp = std::fopen(path.c_str(), "wb");
  std::fwrite(bad_dtype.b.data(), 1, 30, fp);
  std::fclose(fp);
  EXPECT_EQ(mxl_arrays_load(path.c_str(), &l), MXL_ERR_VALUE);
  EXPECT_NE(last_message().find("file '" + path + "' is truncated"), std::string::npos)
      << last_message();
  std::remove(path.c_str());
}

TEST(NDArrayFile, AbiArgumentChecks) {
  mxl_array_t* a = make_f32({1}, {1});
  mxl_array_t* arrs[] = {a};
  EXPECT_EQ(mxl_arrays_save("/nonexistent/dir/x.params", 1, arrs, nullptr), MXL_ERR_VALUE);
  EXPECT_NE(last_message().find("cannot open"), std::string::npos);
  EXPECT_EQ(mxl_arrays_save(nullptr, 1, arrs, nullptr), MXL_ERR_VALUE);
  EXPECT_EQ(mxl_arrays_save_buffer(-1, arrs, nullptr, nullptr, 0, nullptr), MXL_ERR_VALUE);
  const char* null_name[] = {nullptr};
  EXPECT_EQ(mxl_arrays_save_buffer(1, arrs, null_name, nullptr, 0, nullptr), MXL_ERR_VALUE);
  uint64_t needed = 7;
  char small[8];
  EXPECT_EQ(mxl_arrays_save_buffer(1, arrs, nullptr, small, sizeof(small), &needed),
            MXL_ERR_VALUE);
  EXPECT_EQ(needed, 7u);  // untouched on failure
  EXPECT_EQ(mxl_arrays_save_buffer(1, arrs, nullptr, nullptr, 0, &needed), MXL_OK);
  EXPECT_EQ(needed, 24u + 12 + 8 + 12 + 4 + 8);

  mxl_array_list_t* l = load_bytes(save_bytes({a}, nullptr));
  mxl_array_t* x = reinterpret_cast<mxl_array_t*>(0x1);
  EXPECT_EQ(mxl_array_list_get(l, 1, &x, nullptr, 0, nullptr), MXL_ERR_INDEX);
  EXPECT_EQ(mxl_array_list_get(l, -1, &x, nullptr, 0, nullptr), MXL_ERR_INDEX);
  EXPECT_EQ(x, reinterpret_cast<mxl_array_t*>(0x1));
  EXPECT_EQ(mxl_array_list_size(nullptr, nullptr, nullptr), MXL_ERR_INVALID_HANDLE);
  mxl_array_list_free(l);
  mxl_array_list_free(nullptr);
  mxl_array_free(a);
}

}  // namespace
