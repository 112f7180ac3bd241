// Reading and writing MXNet's NDArray list format (see ndarray_file.h).
//
// Array records, by their first u32:
//   0xF993FAC9 (V2)  i32 stype, i32 ndim, i64 dims[ndim], i32 dev_type, i32 dev_id,
//                    i32 dtype flag, data.  ndim 0 (or -1) is a "none" array.
//   0xF993FACA (V3)  the same in numpy-shape semantics: ndim 0 is a scalar and
//                    ndim -1 (or an extent -1) is "none".
//   0xF993FAC8 (V1)  like V2 without the stype field.
//   anything else    the oldest layout: that u32 is ndim, then u32 dims[ndim],
//                    dev_type, dev_id, dtype flag, data.
// A none record ends right after its shape.
//
// Every read is bounds-checked against the bytes that remain, and sizes are
// checked before anything is allocated, so a truncated or corrupt file gives
// a VALUE error naming the offset instead of an over-read or a huge allocation.
#include "io/ndarray_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "common/error.h"

namespace mxl {
namespace io {
namespace {

// ----------------------------------------------------------------- dtypes

// MXNet's dtype flags that mxlite stores in a wider type of its own.
enum WideFlag { kFlagInt16 = 8, kFlagUInt16 = 9, kFlagUInt32 = 10, kFlagUInt64 = 11, kFlagBF16 = 12 };

const char* flag_name(int32_t flag) {
  static const char* names[] = {"float32", "float64", "float16", "uint8",  "int32",
                                "int8",    "int64",   "bool",    "int16",  "uint16",
                                "uint32",  "uint64",  "bfloat16"};
  return flag >= 0 && flag <= 12 ? names[flag] : "unknown";
}

bool dtype_from_flag(int32_t flag, DType* out) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (dtype_info(static_cast<DType>(i)).mx_flag == flag) {
      *out = static_cast<DType>(i);
      return true;
    }
  return false;
}

// ------------------------------------------------------------------ input

// A bounds-checked byte source.  `what` names it in errors ("file 'a.params'").
class Source {
 public:
  Source(std::string what, uint64_t size) : what_(std::move(what)), size_(size) {}
  virtual ~Source() = default;

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }
  const std::string& what() const { return what_; }

  // `field` says what the bytes are, for the error message.
  void read(void* dst, uint64_t n, const std::string& field) {
    if (n > remaining())
      throw_error(MXL_ERR_VALUE, "load: ", what_, " is truncated: ", field, " at byte offset ",
                  pos_, " needs ", n, " bytes but only ", remaining(), " remain");
    if (n) raw_read(dst, n);
    pos_ += n;
  }
  template <typename T>
  T get(const std::string& field) {
    T v;
    read(&v, sizeof(T), field);
    return v;
  }
  [[noreturn]] void corrupt(uint64_t at, const std::string& msg) const {
    throw_error(MXL_ERR_VALUE, "load: ", what_, " is not a valid NDArray file: ", msg,
                " (byte offset ", at, ")");
  }

 protected:
  virtual void raw_read(void* dst, uint64_t n) = 0;

 private:
  std::string what_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

class MemorySource : public Source {
 public:
  MemorySource(const void* data, uint64_t size, std::string what = "buffer")
      : Source(std::move(what), size), data_(static_cast<const char*>(data)) {}

 protected:
  void raw_read(void* dst, uint64_t n) override { std::memcpy(dst, data_ + pos(), n); }

 private:
  const char* data_;
};

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

class FileSource : public Source {
 public:
  FileSource(FilePtr f, const std::string& path, uint64_t size)
      : Source("file '" + path + "'", size), f_(std::move(f)) {}

 protected:
  void raw_read(void* dst, uint64_t n) override {
    if (std::fread(dst, 1, n, f_.get()) != n)
      throw_error(MXL_ERR_VALUE, "load: reading ", what(), " failed at byte offset ", pos(),
                  ": ", std::strerror(errno));
  }

 private:
  FilePtr f_;
};

// ---------------------------------------------------------------- parsing

struct Record {
  uint32_t magic;
  bool has_stype, numpy_shape, legacy;
};

std::string array_field(size_t index, const char* field) {
  return "array " + std::to_string(index) + "'s " + field;
}

// Reads the shape of array `index`.  Returns false for a "none" array.
bool read_shape(Source& src, const Record& rec, size_t index, Shape* shape) {
  uint64_t at = src.pos();
  int64_t ndim;
  if (rec.legacy) {
    ndim = rec.magic;  // validated by the caller
  } else {
    ndim = src.get<int32_t>(array_field(index, "rank"));
    if (ndim < -1 || ndim > kMaxNdim)
      src.corrupt(at, array_field(index, "rank") + " is " + std::to_string(ndim) +
                          ", expected -1.." + std::to_string(kMaxNdim));
  }
  bool none = ndim == -1 || (ndim == 0 && !rec.numpy_shape);
  if (ndim <= 0) {
    shape->resize(0);
    return !none;
  }
  shape->resize(static_cast<int>(ndim));
  for (int i = 0; i < ndim; ++i) {
    at = src.pos();
    int64_t d = rec.legacy ? static_cast<int64_t>(src.get<uint32_t>(array_field(index, "shape")))
                           : src.get<int64_t>(array_field(index, "shape"));
    if (d < -1)
      src.corrupt(at, array_field(index, "extent ") + std::to_string(i) + " is " +
                          std::to_string(d));
    if (d == -1) none = true;  // an unknown extent: MXNet reads the array as none
    (*shape)[i] = d;
  }
  return !none;
}

// Converts elements MXNet stores in a type mxlite lacks into the wider dtype.
template <typename From, typename To>
void widen(const char* in, void* out, int64_t n) {
  To* o = static_cast<To*>(out);
  for (int64_t i = 0; i < n; ++i) {
    From v;
    std::memcpy(&v, in + i * sizeof(From), sizeof(From));
    o[i] = static_cast<To>(v);
  }
}

void read_widened(Source& src, int32_t flag, size_t index, const NDArray& a, uint64_t at) {
  int64_t n = a.numel();
  int in_size = flag == kFlagUInt32 ? 4 : flag == kFlagUInt64 ? 8 : 2;
  std::vector<char> tmp(static_cast<size_t>(n) * in_size);
  src.read(tmp.data(), tmp.size(), array_field(index, "data"));
  switch (flag) {
    case kFlagInt16: widen<int16_t, int32_t>(tmp.data(), a.data(), n); break;
    case kFlagUInt16: widen<uint16_t, int32_t>(tmp.data(), a.data(), n); break;
    case kFlagUInt32: widen<uint32_t, int64_t>(tmp.data(), a.data(), n); break;
    case kFlagUInt64:
      for (int64_t i = 0; i < n; ++i) {
        uint64_t v;
        std::memcpy(&v, tmp.data() + i * 8, 8);
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          src.corrupt(at, array_field(index, "uint64 element ") + std::to_string(i) + " (" +
                              std::to_string(v) + ") does not fit mxlite's int64");
        static_cast<int64_t*>(a.data())[i] = static_cast<int64_t>(v);
      }
      break;
    case kFlagBF16: {
      // bfloat16 is the upper half of a float32: widening is exact.
      float* o = static_cast<float*>(a.data());
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, tmp.data() + i * 2, 2);
        uint32_t bits = static_cast<uint32_t>(h) << 16;
        std::memcpy(&o[i], &bits, 4);
      }
      break;
    }
  }
}

NDArray read_array(Source& src, size_t index) {
  uint64_t start = src.pos();
  Record rec{};
  rec.magic = src.get<uint32_t>(array_field(index, "magic"));
  if (rec.magic == kArrayMagicV2 || rec.magic == kArrayMagicV3) {
    rec.has_stype = true;
    rec.numpy_shape = rec.magic == kArrayMagicV3;
  } else if (rec.magic != kArrayMagicV1) {
    rec.legacy = true;
    if (rec.magic > static_cast<uint32_t>(kMaxNdim)) {
      char hex[16];
      std::snprintf(hex, sizeof(hex), "0x%08X", rec.magic);
      src.corrupt(start, array_field(index, "magic") + " is " + hex +
                             ", expected 0xF993FAC9, 0xF993FACA, 0xF993FAC8 or a legacy rank <= " +
                             std::to_string(kMaxNdim));
    }
  }
  if (rec.has_stype) {
    uint64_t at = src.pos();
    int32_t stype = src.get<int32_t>(array_field(index, "storage type"));
    if (stype == 1 || stype == 2)
      throw_error(MXL_ERR_NOT_IMPLEMENTED, "load: ", src.what(), ": array ", index, " is ",
                  stype == 1 ? "row_sparse" : "csr",
                  " (sparse storage), which mxlite does not support; save it dense in MXNet "
                  "with tostype('default')");
    if (stype != 0)
      src.corrupt(at, array_field(index, "storage type") + " is " + std::to_string(stype) +
                          ", expected 0 (dense)");
  }
  Shape shape;
  if (!read_shape(src, rec, index, &shape)) return NDArray();

  uint64_t at = src.pos();
  int32_t dev_type = src.get<int32_t>(array_field(index, "device type"));
  src.get<int32_t>(array_field(index, "device id"));
  // cpu, gpu, cpu_pinned, cpu_shared: all load on the CPU.
  if (dev_type != 1 && dev_type != 2 && dev_type != 3 && dev_type != 5)
    src.corrupt(at, array_field(index, "device type") + " is " + std::to_string(dev_type) +
                        ", expected 1 (cpu), 2 (gpu), 3 (cpu_pinned) or 5 (cpu_shared)");

  at = src.pos();
  int32_t flag = src.get<int32_t>(array_field(index, "dtype"));
  DType dtype;
  int file_elem;  // bytes per element in the file
  bool native = dtype_from_flag(flag, &dtype);
  if (native) {
    file_elem = dtype_size(dtype);
  } else if (flag >= kFlagInt16 && flag <= kFlagBF16) {
    dtype = flag == kFlagBF16 ? DType::kFloat32
            : flag <= kFlagUInt16 ? DType::kInt32 : DType::kInt64;
    file_elem = flag == kFlagUInt32 ? 4 : flag == kFlagUInt64 ? 8 : 2;
  } else {
    src.corrupt(at, array_field(index, "dtype flag") + " is " + std::to_string(flag) +
                        ", expected 0..12 (float32 ... bfloat16)");
  }

  // The element count, bounded by the bytes left before multiplying, so a
  // corrupt extent can neither overflow nor trigger a huge allocation.
  // The byte count, checked against the bytes left before anything is
  // allocated, so a corrupt extent can neither overflow nor trigger a huge
  // allocation.
  uint64_t count = 1, bytes = 0;
  bool overflow = false;
  for (int i = 0; i < shape.ndim(); ++i)
    overflow |= __builtin_mul_overflow(count, static_cast<uint64_t>(shape[i]), &count);
  overflow |= __builtin_mul_overflow(count, static_cast<uint64_t>(file_elem), &bytes);
  for (int i = 0; i < shape.ndim(); ++i)
    if (shape[i] == 0) overflow = false, bytes = 0;  // an empty array, whatever the rest
  if (overflow || bytes > src.remaining())
    throw_error(MXL_ERR_VALUE, "load: ", src.what(), " is truncated: array ", index,
                "'s data (shape ", shape.str(), ", ", flag_name(flag), ") at byte offset ",
                src.pos(), " needs ", overflow ? std::string("over 2^64") : std::to_string(bytes),
                " bytes but only ", src.remaining(), " remain");

  NDArray a(shape, dtype);
  if (native)
    src.read(a.data(), bytes, array_field(index, "data"));  // fresh array: no pending ops
  else
    read_widened(src, flag, index, a, at);
  return a;
}

ArrayList parse(Source& src) {
  uint64_t magic = src.get<uint64_t>("the header");
  if (magic != kListMagic) {
    char hex[24];
    std::snprintf(hex, sizeof(hex), "0x%llX", static_cast<unsigned long long>(magic));
    src.corrupt(0, std::string("header magic is ") + hex + ", expected 0x112");
  }
  src.get<uint64_t>("the reserved header word");
  uint64_t at = src.pos();
  uint64_t n = src.get<uint64_t>("the array count");
  // Every record takes at least 4 bytes: a larger count is corrupt.
  if (n > src.remaining() / 4)
    throw_error(MXL_ERR_VALUE, "load: ", src.what(), " is truncated: the array count ", n,
                " at byte offset ", at, " needs at least ", n, " records of 4 or more bytes but only ",
                src.remaining(), " bytes remain");
  ArrayList out;
  out.arrays.reserve(n);
  for (uint64_t i = 0; i < n; ++i) out.arrays.push_back(read_array(src, i));

  at = src.pos();
  uint64_t k = src.get<uint64_t>("the name count");
  if (k != 0 && k != n)
    src.corrupt(at, "name count " + std::to_string(k) + " must be 0 (a list) or the array count " +
                        std::to_string(n) + " (a dict)");
  out.has_names = k != 0;
  out.names.reserve(k);
  for (uint64_t i = 0; i < k; ++i) {
    std::string field = "name " + std::to_string(i);
    uint64_t len = src.get<uint64_t>(field + "'s length");
    if (len > src.remaining())
      throw_error(MXL_ERR_VALUE, "load: ", src.what(), " is truncated: ", field,
                  " at byte offset ", src.pos(), " needs ", len, " bytes but only ",
                  src.remaining(), " remain");
    std::string s(len, '\0');
    src.read(s.data(), len, field);
    out.names.push_back(std::move(s));
  }
  // MXNet ignores bytes after the names; so do we.
  return out;
}

// ---------------------------------------------------------------- writing

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void put(const void* p, uint64_t n) = 0;
  template <typename T>
  void put_value(T v) { put(&v, sizeof(T)); }
};

class MemorySink : public Sink {
 public:
  explicit MemorySink(void* buf) : p_(static_cast<char*>(buf)) {}
  void put(const void* p, uint64_t n) override {
    if (n) std::memcpy(p_, p, n);
    p_ += n;
  }

 private:
  char* p_;
};

class FileSink : public Sink {
 public:
  FileSink(FILE* f, const std::string& path) : f_(f), path_(path) {}
  void put(const void* p, uint64_t n) override {
    if (n && std::fwrite(p, 1, n, f_) != n)
      throw_error(MXL_ERR_VALUE, "save: writing file '", path_, "' failed: ", std::strerror(errno));
  }

 private:
  FILE* f_;
  std::string path_;
};

uint64_t record_size(const NDArray& a) {
  if (a.is_none()) return 12;  // magic, stype, ndim 0
  return 12 + 8ull * a.shape().ndim() + 12 + static_cast<uint64_t>(a.nbytes());
}

void write_all(Sink& out, const std::vector<NDArray>& arrays,
               const std::vector<std::string>* names) {
  out.put_value<uint64_t>(kListMagic);
  out.put_value<uint64_t>(0);
  out.put_value<uint64_t>(arrays.size());
  for (const NDArray& a : arrays) {
    if (a.is_none()) {
      out.put_value<uint32_t>(kArrayMagicV2);
      out.put_value<int32_t>(0);
      out.put_value<int32_t>(0);
      continue;
    }
    int ndim = a.shape().ndim();
    out.put_value<uint32_t>(ndim == 0 ? kArrayMagicV3 : kArrayMagicV2);
    out.put_value<int32_t>(0);  // dense
    out.put_value<int32_t>(ndim);
    for (int i = 0; i < ndim; ++i) out.put_value<int64_t>(a.shape()[i]);
    out.put_value<int32_t>(1);  // cpu
    out.put_value<int32_t>(0);
    out.put_value<int32_t>(dtype_info(a.dtype()).mx_flag);
    a.wait_to_read();
    out.put(a.data(), static_cast<uint64_t>(a.nbytes()));
  }
  if (!names) {
    out.put_value<uint64_t>(0);
    return;
  }
  out.put_value<uint64_t>(names->size());
  for (const std::string& s : *names) {
    out.put_value<uint64_t>(s.size());
    out.put(s.data(), s.size());
  }
}

void check_names(const std::vector<NDArray>& arrays, const std::vector<std::string>* names) {
  MXL_CHECK(!names || names->size() == arrays.size(), MXL_ERR_VALUE, "save: ", arrays.size(),
            " arrays but ", names ? names->size() : 0, " names");
}

}  // namespace

uint64_t saved_size(const std::vector<NDArray>& arrays, const std::vector<std::string>* names) {
  check_names(arrays, names);
  uint64_t n = 24 + 8;
  for (const NDArray& a : arrays) n += record_size(a);
  if (names)
    for (const std::string& s : *names) n += 8 + s.size();
  return n;
}

void save_file(const std::string& path, const std::vector<NDArray>& arrays,
               const std::vector<std::string>* names) {
  check_names(arrays, names);
  // Pending writes are waited for (and their errors raised) before the file
  // is touched, so a failed op does not leave a half-written file behind.
  for (const NDArray& a : arrays)
    if (!a.is_none()) a.wait_to_read();
  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f)
    throw_error(MXL_ERR_VALUE, "save: cannot open file '", path, "' for writing: ",
                std::strerror(errno));
  FileSink sink(f.get(), path);
  write_all(sink, arrays, names);
  if (std::fclose(f.release()) != 0)
    throw_error(MXL_ERR_VALUE, "save: closing file '", path, "' failed: ", std::strerror(errno));
}

void save_buffer(const std::vector<NDArray>& arrays, const std::vector<std::string>* names,
                 void* buf, uint64_t cap) {
  uint64_t need = saved_size(arrays, names);
  MXL_CHECK(cap >= need && buf, MXL_ERR_VALUE, "save: the buffer holds ", cap, " bytes, ", need,
            " are needed");
  MemorySink sink(buf);
  write_all(sink, arrays, names);
}

ArrayList load_file(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f)
    throw_error(MXL_ERR_VALUE, "load: cannot open file '", path, "': ", std::strerror(errno));
  // The size bounds every read; a stream whose size is unknown (a pipe) is
  // read into memory first.
  if (std::fseek(f.get(), 0, SEEK_END) == 0) {
    long size = std::ftell(f.get());
    if (size >= 0 && std::fseek(f.get(), 0, SEEK_SET) == 0) {
      FileSource src(std::move(f), path, static_cast<uint64_t>(size));
      return parse(src);
    }
  }
  std::vector<char> data;
  char chunk[1 << 16];
  size_t got;
  std::clearerr(f.get());
  while ((got = std::fread(chunk, 1, sizeof(chunk), f.get())) > 0)
    data.insert(data.end(), chunk, chunk + got);
  MemorySource src(data.data(), data.size(), "file '" + path + "'");
  return parse(src);
}

ArrayList load_buffer(const void* data, uint64_t size) {
  MXL_CHECK(data || size == 0, MXL_ERR_VALUE, "load: buffer is NULL");
  MemorySource src(data, size);
  return parse(src);
}

}  // namespace io
}  // namespace mxl
