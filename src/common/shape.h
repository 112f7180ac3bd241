// Array shapes: a small vector of int64 extents stored inline for the common
// ranks, so creating an array on the hot path does not touch the heap.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mxl {

constexpr int kMaxNdim = 32;

class Shape {
 public:
  Shape() = default;
  // Copies touch only the used extents: shapes are copied on every op call.
  Shape(const Shape& o) : ndim_(o.ndim_) { copy_dims(o); }
  Shape& operator=(const Shape& o) {
    ndim_ = o.ndim_;
    copy_dims(o);
    return *this;
  }
  Shape(std::initializer_list<int64_t> dims) { assign(dims.begin(), dims.end()); }
  Shape(const int64_t* dims, int ndim) { assign(dims, dims + ndim); }
  explicit Shape(const std::vector<int64_t>& v) { assign(v.data(), v.data() + v.size()); }

  template <typename It>
  void assign(It first, It last) {
    ndim_ = 0;
    for (; first != last; ++first) push_back(*first);
  }
  void push_back(int64_t d) { dims_[ndim_++] = d; }
  void resize(int n, int64_t fill = 0) {
    for (int i = ndim_ < 0 ? 0 : ndim_; i < n; ++i) dims_[i] = fill;  // unknown has ndim -1
    ndim_ = n;
  }
  void insert(int pos, int64_t d) {
    for (int i = ndim_; i > pos; --i) dims_[i] = dims_[i - 1];
    dims_[pos] = d;
    ++ndim_;
  }
  void erase(int pos) {
    for (int i = pos; i + 1 < ndim_; ++i) dims_[i] = dims_[i + 1];
    --ndim_;
  }

  // A shape not yet known (symbolic inference); distinct from the 0-d shape.
  static Shape unknown() {
    Shape s;
    s.ndim_ = -1;
    return s;
  }
  bool known() const { return ndim_ >= 0; }

  int ndim() const { return ndim_; }
  int size() const { return ndim_; }
  int64_t operator[](int i) const { return dims_[i]; }
  int64_t& operator[](int i) { return dims_[i]; }
  const int64_t* data() const { return dims_; }
  int64_t* data() { return dims_; }
  const int64_t* begin() const { return dims_; }
  const int64_t* end() const { return dims_ + ndim_; }
  int64_t back() const { return dims_[ndim_ - 1]; }

  // Product of extents; 1 for a 0-d shape.
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < ndim_; ++i) n *= dims_[i];
    return n;
  }
  // Product of extents in [begin, end).
  int64_t prod(int begin, int end) const {
    int64_t n = 1;
    for (int i = begin; i < end; ++i) n *= dims_[i];
    return n;
  }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }

  bool operator==(const Shape& o) const {
    if (ndim_ != o.ndim_) return false;
    for (int i = 0; i < ndim_; ++i)
      if (dims_[i] != o.dims_[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }

  // MXNet's text form: "(2, 3)", "(2,)", "()".
  std::string str() const {
    std::string s = "(";
    for (int i = 0; i < ndim_; ++i) {
      if (i) s += ", ";
      s += std::to_string(dims_[i]);
    }
    if (ndim_ == 1) s += ",";
    return s + ")";
  }

 private:
  void copy_dims(const Shape& o) {
    for (int i = 0; i < o.ndim_; ++i) dims_[i] = o.dims_[i];
  }
  int ndim_ = 0;
  int64_t dims_[kMaxNdim];  // only [0, ndim_) is meaningful
};

}  // namespace mxl
