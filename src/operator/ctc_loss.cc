// CTCLoss (MXNet 1.9, aliases ctc_loss, _contrib_CTCLoss, _contrib_ctc_loss):
// connectionist temporal classification loss of unnormalized activations
// data (T, N, C) against label sequences (N, L).
//
// Per sequence the forward pass runs the alpha-beta recursions in log space
// over the label with blanks interleaved (length 2L+1), so long sequences
// neither underflow nor overflow.  The gradient with respect to the
// activations, softmax(data) - posterior occupancy of each class, falls out
// of the same recursions and is kept as a hidden output; backward only
// scales it by the loss's output gradient (MXNet does the same).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/registry.h"

namespace mxl {
namespace {

const char* const kOp = "CTCLoss";

bool use_data_lengths(const Params& p) { return p.get_bool("use_data_lengths"); }
bool use_label_lengths(const Params& p) { return p.get_bool("use_label_lengths"); }

std::vector<std::string> ctc_input_names(const Params& p) {
  std::vector<std::string> names{"data", "label"};
  if (use_data_lengths(p)) names.push_back("data_lengths");
  if (use_label_lengths(p)) names.push_back("label_lengths");
  return names;
}

void ctc_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  const Shape& label = (*in)[1];
  if (data.known()) {
    MXL_CHECK(data.ndim() == 3, MXL_ERR_VALUE, op_error_prefix(kOp, "data"),
              "expected a 3-D array (sequence_length, batch_size, alphabet_size), got shape ",
              data.str());
    MXL_CHECK(data[2] >= 2, MXL_ERR_VALUE, op_error_prefix(kOp, "data"),
              "the alphabet (last axis) needs the blank and at least one label, got size ",
              data[2]);
  }
  if (label.known()) {
    MXL_CHECK(label.ndim() == 2, MXL_ERR_VALUE, op_error_prefix(kOp, "label"),
              "expected a 2-D array (batch_size, label_sequence_length), got shape ", label.str());
  }
  if (data.known() && label.known()) {
    MXL_CHECK(data[1] == label[0], MXL_ERR_VALUE, op_error_prefix(kOp, "label"),
              "batch size ", label[0], " does not match the batch size of data ", data[1]);
  }
  const int64_t batch = data.known() ? data[1] : (label.known() ? label[0] : -1);
  for (size_t i = 2; i < in->size(); ++i) {
    Shape& len = (*in)[i];
    if (len.known()) {
      MXL_CHECK(len.ndim() == 1 && (batch < 0 || len[0] == batch), MXL_ERR_VALUE,
                op_error_prefix(kOp, ctc_input_names(p)[i].c_str()), "expected shape (", batch,
                ",), got ", len.str());
    } else if (batch >= 0) {
      len = Shape{batch};
    }
  }
  if (batch >= 0) (*out)[0] = Shape{batch};
  if (data.known()) (*out)[1] = data;
}

void ctc_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = (*in)[0];  // labels and lengths may have any dtype
  (*out)[1] = (*in)[0];
}

// An integer read from an index array of any dtype.
int64_t read_index(const TBlob& b, int64_t i) {
  int64_t v = 0;
  MXL_TYPE_SWITCH(b.dtype, T, { v = static_cast<int64_t>(static_cast<double>(b.ptr<T>()[i])); })
  return v;
}

inline double log_add(double a, double b) {
  if (a == -std::numeric_limits<double>::infinity()) return b;
  if (b == -std::numeric_limits<double>::infinity()) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

// One sequence: writes its loss and its (T, C) slice of the gradient (with
// stride `gstride` between time steps, as the batch is the middle axis).
template <typename T>
void ctc_one(const T* x, int64_t xstride, int64_t t_len, int64_t c, const std::vector<int64_t>& lab,
             int64_t blank, T* loss, T* grad, int64_t gstride, int64_t t_max) {
  const double ninf = -std::numeric_limits<double>::infinity();
  const int64_t s_len = 2 * static_cast<int64_t>(lab.size()) + 1;
  auto sym = [&](int64_t s) { return (s % 2 == 0) ? blank : lab[s / 2]; };
  // log-softmax per time step
  std::vector<double> lp(static_cast<size_t>(t_len * c));
  for (int64_t t = 0; t < t_len; ++t) {
    const T* row = x + t * xstride;
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t k = 0; k < c; ++k) m = std::max(m, static_cast<double>(row[k]));
    double sum = 0;
    for (int64_t k = 0; k < c; ++k) sum += std::exp(static_cast<double>(row[k]) - m);
    const double lse = m + std::log(sum);
    for (int64_t k = 0; k < c; ++k) lp[t * c + k] = static_cast<double>(row[k]) - lse;
  }
  std::vector<double> alpha(static_cast<size_t>(t_len * s_len), ninf);
  std::vector<double> beta(static_cast<size_t>(t_len * s_len), ninf);
  if (t_len > 0) {
    alpha[0] = lp[sym(0)];
    if (s_len > 1) alpha[1] = lp[sym(1)];
    for (int64_t t = 1; t < t_len; ++t) {
      for (int64_t s = 0; s < s_len; ++s) {
        double a = alpha[(t - 1) * s_len + s];
        if (s >= 1) a = log_add(a, alpha[(t - 1) * s_len + s - 1]);
        if (s >= 2 && sym(s) != blank && sym(s) != sym(s - 2))
          a = log_add(a, alpha[(t - 1) * s_len + s - 2]);
        alpha[t * s_len + s] = a == ninf ? ninf : a + lp[t * c + sym(s)];
      }
    }
    const int64_t last = (t_len - 1) * s_len;
    beta[last + s_len - 1] = lp[(t_len - 1) * c + sym(s_len - 1)];
    if (s_len > 1) beta[last + s_len - 2] = lp[(t_len - 1) * c + sym(s_len - 2)];
    for (int64_t t = t_len - 2; t >= 0; --t) {
      for (int64_t s = 0; s < s_len; ++s) {
        double b = beta[(t + 1) * s_len + s];
        if (s + 1 < s_len) b = log_add(b, beta[(t + 1) * s_len + s + 1]);
        if (s + 2 < s_len && sym(s) != blank && sym(s) != sym(s + 2))
          b = log_add(b, beta[(t + 1) * s_len + s + 2]);
        beta[t * s_len + s] = b == ninf ? ninf : b + lp[t * c + sym(s)];
      }
    }
  }
  double logp = ninf;
  if (t_len > 0) {
    logp = alpha[(t_len - 1) * s_len + s_len - 1];
    if (s_len > 1) logp = log_add(logp, alpha[(t_len - 1) * s_len + s_len - 2]);
  }
  *loss = static_cast<T>(-logp);
  // gradient: softmax - occupancy; zero past the sequence and for
  // impossible alignments (infinite loss)
  std::vector<double> occ(static_cast<size_t>(c));
  for (int64_t t = 0; t < t_max; ++t) {
    T* g = grad + t * gstride;
    if (t >= t_len || logp == ninf) {
      for (int64_t k = 0; k < c; ++k) g[k] = T(0);
      continue;
    }
    std::fill(occ.begin(), occ.end(), ninf);
    for (int64_t s = 0; s < s_len; ++s) {
      const double ab = alpha[t * s_len + s] + beta[t * s_len + s];
      if (ab == ninf) continue;
      const int64_t k = sym(s);
      occ[k] = log_add(occ[k], ab - lp[t * c + k]);
    }
    for (int64_t k = 0; k < c; ++k) {
      const double y = std::exp(lp[t * c + k]);
      const double o = occ[k] == ninf ? 0.0 : std::exp(occ[k] - logp);
      g[k] = static_cast<T>(y - o);
    }
  }
}

void ctc_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  const TBlob& data = in[0];
  const TBlob& label = in[1];
  const int64_t t_max = data.shape[0], batch = data.shape[1], c = data.shape[2];
  const int64_t l_max = label.shape[1];
  const bool first = p.get_enum("blank_label") == "first";
  const int64_t blank = first ? 0 : c - 1;
  const int64_t pad = first ? 0 : -1;
  int next = 2;
  const TBlob* dlen = use_data_lengths(p) ? &in[next++] : nullptr;
  const TBlob* llen = use_label_lengths(p) ? &in[next++] : nullptr;
  // Read and validate lengths and labels up front (errors name the sample).
  std::vector<int64_t> t_lens(batch);
  std::vector<std::vector<int64_t>> labels(batch);
  for (int64_t b = 0; b < batch; ++b) {
    int64_t tl = t_max;
    if (dlen) {
      tl = read_index(*dlen, b);
      MXL_CHECK(tl >= 0 && tl <= t_max, MXL_ERR_VALUE, op_error_prefix(kOp, "data_lengths"),
                "entry ", b, " is ", tl, "; expected a length in [0, ", t_max, "]");
    }
    t_lens[b] = tl;
    int64_t ll = l_max;
    if (llen) {
      ll = read_index(*llen, b);
      MXL_CHECK(ll >= 0 && ll <= l_max, MXL_ERR_VALUE, op_error_prefix(kOp, "label_lengths"),
                "entry ", b, " is ", ll, "; expected a length in [0, ", l_max, "]");
    } else {
      for (int64_t j = 0; j < l_max; ++j) {
        if (read_index(label, b * l_max + j) == pad) {
          ll = j;
          break;
        }
      }
    }
    for (int64_t j = 0; j < ll; ++j) {
      const int64_t v = read_index(label, b * l_max + j);
      MXL_CHECK(v >= 0 && v < c && v != blank, MXL_ERR_VALUE, op_error_prefix(kOp, "label"),
                "sample ", b, " position ", j, " holds ", v, "; expected a class in [0, ", c,
                ") other than the blank ", blank, " (blank_label='", first ? "first" : "last",
                "')");
      labels[b].push_back(v);
    }
  }
  MXL_FLOAT_SWITCH(data.dtype, T, kOp, {
    const T* x = data.ptr<T>();
    T* loss = out[0].ptr<T>();
    T* grad = out[1].ptr<T>();
    parallel_for(batch, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b)
        ctc_one<T>(x + b * c, batch * c, t_lens[b], c, labels[b], blank, loss + b,
                   grad + b * c, batch * c, t_max);
    }, t_max * c * 8);
  })
}

std::vector<GradValue> ctc_gradient(GradBuilder& b, const GradNode& n) {
  // d loss_b / d data[t, b, :] is the saved gradient; scale by out_grad[b]
  const GradValue scale = b.op("Reshape", {n.out_grads[0]}, {{"shape", "(1, -1, 1)"}});
  std::vector<GradValue> res(n.inputs.size());
  res[0] = b.op("broadcast_mul", {n.outputs[1], scale});
  return res;
}

void register_ctc_loss() {
  Registry::get()
      .add(kOp)
      .describe(
          "Connectionist Temporal Classification loss. data: unnormalized activations "
          "(sequence_length, batch_size, alphabet_size), softmax is applied inside. label: "
          "(batch_size, label_sequence_length) class indices; with blank_label='first' class 0 "
          "is the blank and labels are padded with 0, with 'last' class alphabet_size-1 is the "
          "blank and labels are padded with -1. data_lengths / label_lengths (when "
          "use_data_lengths / use_label_lengths) give each sequence's length. Returns the "
          "negative log likelihood per sequence, shape (batch_size,).")
      .add_alias("ctc_loss")
      .add_alias("_contrib_CTCLoss")
      .add_alias("_contrib_ctc_loss")
      .add_input("data", "Input ndarray")
      .add_input("label", "Ground-truth labels for the loss.")
      .add_input("data_lengths", "Lengths of data for each of the samples. Only required when "
                                 "use_data_lengths is true.")
      .add_input("label_lengths", "Lengths of labels for each of the samples. Only required when "
                                  "use_label_lengths is true.")
      .add_param("use_data_lengths", "bool", "False",
                 "Whether each sequence's length comes from the input `data_lengths`; if false, "
                 "every sequence is sequence_length long.")
      .add_param("use_label_lengths", "bool", "False",
                 "Whether each label's length comes from the input `label_lengths`; if false, a "
                 "label ends at the first padding value (0 with blank_label='first', -1 with "
                 "blank_label='last').")
      .add_param("blank_label", "enum{first,last}", "first",
                 "Which class is the blank: 'first' reserves class 0 (labels are 1 .. "
                 "alphabet_size-1, padded with 0), 'last' reserves class alphabet_size-1 "
                 "(labels are 0 .. alphabet_size-2, padded with -1).")
      .set_num_inputs([](const Params& p) {
        return 2 + (use_data_lengths(p) ? 1 : 0) + (use_label_lengths(p) ? 1 : 0);
      })
      .set_list_input_names(ctc_input_names)
      .set_outputs({"output", "grad"})
      .set_num_visible_outputs([](const Params&) { return 1; })
      .set_infer_shape(ctc_shape)
      .set_infer_type(ctc_type)
      .set_forward(ctc_forward)
      .set_gradient(ctc_gradient);
}

MXL_REGISTER_BLOCK(register_ctc_loss);

}  // namespace
}  // namespace mxl
