// The C ABI's contracts: status codes, last error with size query, ownership,
// out-parameters untouched on failure, views, DLPack round trips, counters.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "c_api.h"
#include "ndarray/dlpack_types.h"

namespace {

std::string last_message(int32_t* kind = nullptr) {
  uint64_t needed = 0;
  mxl_last_error(kind, nullptr, 0, &needed);
  std::string s(needed, '\0');
  mxl_last_error(kind, &s[0], needed, nullptr);
  s.resize(needed ? needed - 1 : 0);
  return s;
}

mxl_array_t* make(std::vector<int64_t> shape, const std::vector<float>& data) {
  mxl_array_t* a = nullptr;
  EXPECT_EQ(mxl_array_create(shape.data(), static_cast<int32_t>(shape.size()), MXL_FLOAT32,
                             MXL_DEVICE_CPU, 0, &a),
            MXL_OK);
  EXPECT_EQ(mxl_array_copy_from_host(a, data.data(), data.size() * sizeof(float)), MXL_OK);
  return a;
}

std::vector<float> read(mxl_array_t* a) {
  int64_t n = 0;
  EXPECT_EQ(mxl_array_size(a, &n, nullptr), MXL_OK);
  std::vector<float> v(n);
  EXPECT_EQ(mxl_array_copy_to_host(a, v.data(), n * sizeof(float)), MXL_OK);
  return v;
}

TEST(CApi, VersionAndErrors) {
  EXPECT_EQ(mxl_version() / 10000, MXL_VERSION_MAJOR);
  mxl_array_t* out = reinterpret_cast<mxl_array_t*>(0x1);
  int64_t bad_shape[] = {2, -3};
  EXPECT_EQ(mxl_array_create(bad_shape, 2, MXL_FLOAT32, MXL_DEVICE_CPU, 0, &out), MXL_ERR_VALUE);
  EXPECT_EQ(out, reinterpret_cast<mxl_array_t*>(0x1));  // untouched on failure
  int32_t kind = 0;
  std::string msg = last_message(&kind);
  EXPECT_EQ(kind, MXL_ERR_VALUE);
  EXPECT_NE(msg.find("(2, -3)"), std::string::npos) << msg;
  // truncation into a small buffer keeps a NUL terminator
  char small[8];
  uint64_t needed = 0;
  mxl_last_error(nullptr, small, sizeof(small), &needed);
  EXPECT_EQ(std::strlen(small), 7u);
  EXPECT_EQ(needed, msg.size() + 1);
  int64_t shape[] = {2};
  EXPECT_EQ(mxl_array_create(shape, 1, 12345, MXL_DEVICE_CPU, 0, &out), MXL_ERR_TYPE);
  EXPECT_EQ(mxl_array_create(shape, 1, MXL_FLOAT32, MXL_DEVICE_GPU, 0, &out),
            MXL_ERR_NOT_IMPLEMENTED);
  EXPECT_EQ(mxl_array_wait_to_read(nullptr), MXL_ERR_INVALID_HANDLE);
  mxl_array_free(nullptr);
  mxl_op_free(nullptr);
}

TEST(CApi, HostCopiesCheckByteCounts) {
  mxl_array_t* a = make({2, 2}, {1, 2, 3, 4});
  float buf[3];
  EXPECT_EQ(mxl_array_copy_to_host(a, buf, sizeof(buf)), MXL_ERR_VALUE);
  EXPECT_EQ(mxl_array_copy_from_host(a, buf, sizeof(buf)), MXL_ERR_VALUE);
  EXPECT_EQ(read(a), (std::vector<float>{1, 2, 3, 4}));
  int32_t ndim = 0, dtype = 0, dev = 0, dev_id = -1;
  int64_t dims[4];
  EXPECT_EQ(mxl_array_shape(a, &ndim, dims, 4), MXL_OK);
  EXPECT_EQ(ndim, 2);
  EXPECT_EQ(dims[0], 2);
  EXPECT_EQ(mxl_array_dtype(a, &dtype), MXL_OK);
  EXPECT_EQ(dtype, MXL_FLOAT32);
  EXPECT_EQ(mxl_array_device(a, &dev, &dev_id), MXL_OK);
  EXPECT_EQ(dev, MXL_DEVICE_CPU);
  EXPECT_EQ(dev_id, 0);
  mxl_array_free(a);
}

TEST(CApi, ViewsShareStorage) {
  mxl_array_t* a = make({3, 2}, {1, 2, 3, 4, 5, 6});
  mxl_array_t *rows = nullptr, *flat = nullptr, *row = nullptr;
  ASSERT_EQ(mxl_array_slice_view(a, 1, 3, &rows), MXL_OK);
  EXPECT_EQ(read(rows), (std::vector<float>{3, 4, 5, 6}));
  int64_t flat_shape[] = {-1};
  ASSERT_EQ(mxl_array_reshape_view(a, flat_shape, 1, &flat), MXL_OK);
  ASSERT_EQ(mxl_array_at_view(a, 2, &row), MXL_OK);
  std::vector<float> ten{10, 20};
  ASSERT_EQ(mxl_array_copy_from_host(row, ten.data(), 8), MXL_OK);
  EXPECT_EQ(read(flat), (std::vector<float>{1, 2, 3, 4, 10, 20}));
  int32_t shares = 0;
  EXPECT_EQ(mxl_array_shares_storage(a, rows, &shares), MXL_OK);
  EXPECT_EQ(shares, 1);
  mxl_array_t* bad = nullptr;
  EXPECT_EQ(mxl_array_slice_view(a, 2, 5, &bad), MXL_ERR_INDEX);
  EXPECT_EQ(mxl_array_at_view(a, 3, &bad), MXL_ERR_INDEX);
  int64_t wrong[] = {4, 2};
  EXPECT_EQ(mxl_array_reshape_view(a, wrong, 2, &bad), MXL_ERR_VALUE);
  EXPECT_EQ(bad, nullptr);
  mxl_array_free(a);  // views keep the storage alive
  EXPECT_EQ(read(rows), (std::vector<float>{3, 4, 10, 20}));
  mxl_array_free(rows);
  mxl_array_free(flat);
  mxl_array_free(row);
}

TEST(CApi, InvokeAllocatesOrWritesIntoOutputs) {
  int64_t live0 = 0, live1 = 0;
  mxl_live_handles(&live0);
  mxl_op_t* add = nullptr;
  ASSERT_EQ(mxl_op_get("broadcast_add", &add), MXL_OK);
  mxl_array_t* a = make({2, 2}, {1, 2, 3, 4});
  mxl_array_t* b = make({2}, {10, 20});
  mxl_array_t* ins[] = {a, b};
  mxl_array_t* outs[2] = {nullptr, nullptr};
  int32_t nout = 2;
  ASSERT_EQ(mxl_invoke(add, 2, ins, 0, nullptr, nullptr, &nout, outs), MXL_OK);
  EXPECT_EQ(nout, 1);
  EXPECT_EQ(read(outs[0]), (std::vector<float>{11, 22, 13, 24}));
  // pre-allocated destination: written, no new handle
  mxl_array_t* dst = make({2, 2}, {0, 0, 0, 0});
  mxl_array_t* given[] = {dst};
  nout = 1;
  ASSERT_EQ(mxl_invoke(add, 2, ins, 0, nullptr, nullptr, &nout, given), MXL_OK);
  EXPECT_EQ(given[0], dst);
  EXPECT_EQ(read(dst), (std::vector<float>{11, 22, 13, 24}));
  // in place: a += b
  mxl_array_t* self[] = {a};
  nout = 1;
  ASSERT_EQ(mxl_invoke(add, 2, ins, 0, nullptr, nullptr, &nout, self), MXL_OK);
  EXPECT_EQ(read(a), (std::vector<float>{11, 22, 13, 24}));
  // failures leave outputs alone
  mxl_array_t* c = make({3}, {1, 2, 3});
  mxl_array_t* bad_ins[] = {a, c};
  mxl_array_t* untouched[1] = {nullptr};
  nout = 1;
  EXPECT_EQ(mxl_invoke(add, 2, bad_ins, 0, nullptr, nullptr, &nout, untouched), MXL_ERR_VALUE);
  EXPECT_EQ(untouched[0], nullptr);
  EXPECT_NE(last_message().find("broadcast_add"), std::string::npos);
  const char* keys[] = {"bogus"};
  const char* vals[] = {"1"};
  EXPECT_EQ(mxl_invoke(add, 2, ins, 1, keys, vals, &nout, untouched), MXL_ERR_KEY);
  EXPECT_EQ(mxl_invoke(add, 1, ins, 0, nullptr, nullptr, &nout, untouched), MXL_ERR_VALUE);
  mxl_op_t* none = nullptr;
  EXPECT_EQ(mxl_op_get("no_such_op", &none), MXL_ERR_KEY);
  EXPECT_EQ(none, nullptr);
  for (mxl_array_t* h : {a, b, c, dst, outs[0]}) mxl_array_free(h);
  mxl_op_free(add);
  mxl_live_handles(&live1);
  EXPECT_EQ(live0, live1);
}

TEST(CApi, DLPackRoundTripIsZeroCopy) {
  mxl_array_t* a = make({2, 3}, {1, 2, 3, 4, 5, 6});
  DLManagedTensorVersioned* t = nullptr;
  ASSERT_EQ(mxl_array_to_dlpack(a, &t), MXL_OK);
  EXPECT_EQ(t->version.major, 1u);
  EXPECT_EQ(t->dl_tensor.ndim, 2);
  EXPECT_EQ(t->dl_tensor.shape[1], 3);
  EXPECT_EQ(t->dl_tensor.dtype.code, 2);
  EXPECT_EQ(t->dl_tensor.dtype.bits, 32);
  static_cast<float*>(t->dl_tensor.data)[0] = 100;
  EXPECT_EQ(read(a)[0], 100);
  mxl_array_t* back = nullptr;
  ASSERT_EQ(mxl_array_from_dlpack(t, &back), MXL_OK);  // takes ownership of t
  mxl_array_free(a);
  EXPECT_EQ(read(back), (std::vector<float>{100, 2, 3, 4, 5, 6}));
  mxl_array_free(back);  // calls t's deleter, which releases a's storage

  mxl_array_t* legacy_src = make({2}, {7, 8});
  DLManagedTensor* lt = nullptr;
  ASSERT_EQ(mxl_array_to_dlpack_legacy(legacy_src, &lt), MXL_OK);
  mxl_array_t* legacy_back = nullptr;
  ASSERT_EQ(mxl_array_from_dlpack_legacy(lt, &legacy_back), MXL_OK);
  EXPECT_EQ(read(legacy_back), (std::vector<float>{7, 8}));
  mxl_array_free(legacy_src);
  mxl_array_free(legacy_back);
  EXPECT_EQ(mxl_array_from_dlpack(nullptr, &back), MXL_ERR_VALUE);
}

TEST(CApi, RegistryDocumentWithSizeQuery) {
  uint64_t needed = 0;
  ASSERT_EQ(mxl_registry_json(nullptr, 0, &needed), MXL_OK);
  std::string doc(needed, '\0');
  char tiny[4];
  EXPECT_EQ(mxl_registry_json(tiny, sizeof(tiny), &needed), MXL_ERR_VALUE);
  ASSERT_EQ(mxl_registry_json(&doc[0], needed, &needed), MXL_OK);
  EXPECT_NE(doc.find("\"broadcast_add\""), std::string::npos);
  int32_t count = 0;
  ASSERT_EQ(mxl_op_count(&count), MXL_OK);
  EXPECT_GT(count, 100);
  char name[128];
  EXPECT_EQ(mxl_op_name(count, name, sizeof(name), nullptr), MXL_ERR_INDEX);
  ASSERT_EQ(mxl_op_name(0, name, sizeof(name), nullptr), MXL_OK);
  EXPECT_GT(std::strlen(name), 0u);
}

TEST(CApi, StorageCountersAndRelease) {
  ASSERT_EQ(mxl_wait_all(), MXL_OK);
  int64_t in_use0 = 0, peak = 0, pooled = 0;
  ASSERT_EQ(mxl_storage_stats(&in_use0, &peak, &pooled), MXL_OK);
  int64_t shape[] = {1 << 20};
  mxl_array_t* a = nullptr;
  ASSERT_EQ(mxl_array_create(shape, 1, MXL_FLOAT32, MXL_DEVICE_CPU, 0, &a), MXL_OK);
  int64_t in_use1 = 0;
  mxl_storage_stats(&in_use1, &peak, nullptr);
  EXPECT_GE(in_use1 - in_use0, 4 << 20);
  EXPECT_GE(peak, in_use1);
  mxl_array_free(a);
  ASSERT_EQ(mxl_wait_all(), MXL_OK);
  mxl_storage_stats(nullptr, nullptr, &pooled);
  EXPECT_GE(pooled, 4 << 20);
  ASSERT_EQ(mxl_storage_release_pooled(), MXL_OK);
  mxl_storage_stats(nullptr, nullptr, &pooled);
  EXPECT_EQ(pooled, 0);
}

TEST(CApi, EngineSelection) {
  char name[64];
  ASSERT_EQ(mxl_engine_type(name, sizeof(name), nullptr), MXL_OK);
  std::string before = name;
  ASSERT_EQ(mxl_engine_set_type("NaiveEngine"), MXL_OK);
  ASSERT_EQ(mxl_engine_type(name, sizeof(name), nullptr), MXL_OK);
  EXPECT_STREQ(name, "NaiveEngine");
  mxl_array_t* a = make({2}, {1, 2});
  EXPECT_EQ(read(a), (std::vector<float>{1, 2}));
  mxl_array_free(a);
  EXPECT_EQ(mxl_engine_set_type("NoSuchEngine"), MXL_ERR_KEY);
  ASSERT_EQ(mxl_engine_set_type(before.c_str()), MXL_OK);
}

}  // namespace
