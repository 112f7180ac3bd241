// Symbol-level inference: variable attributes, known values by name or
// position, and the arguments / outputs / auxiliary states split.
#include <cctype>
#include <cstdlib>

#include "symbol/infer.h"

namespace mxl {
namespace symbol {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

}  // namespace

Shape parse_shape_attr(const std::string& var, const std::string& text) {
  std::string t = trim(text);
  auto bad = [&]() {
    throw_error(MXL_ERR_VALUE, "variable '", var, "': attribute __shape__ '", text,
                "' is not a shape such as (2, 3)");
  };
  // A bare extent ("5") is a 1-d shape, as MXNet's parser reads it.
  const bool bracketed =
      t.size() >= 2 && ((t.front() == '(' && t.back() == ')') || (t.front() == '[' && t.back() == ']'));
  if (bracketed) t = t.substr(1, t.size() - 2);
  else if (t.empty() || t.find(',') != std::string::npos) bad();
  Shape s;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t comma = t.find(',', pos);
    std::string item = trim(t.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (!item.empty() && (item.back() == 'L' || item.back() == 'l')) item.pop_back();  // Python 2 longs
    if (item.empty()) {
      if (comma != std::string::npos && !trim(t.substr(comma + 1)).empty()) bad();
      break;
    }
    char* end = nullptr;
    long long d = std::strtoll(item.c_str(), &end, 10);
    if (*end != '\0') bad();
    MXL_CHECK(s.ndim() < kMaxNdim, MXL_ERR_VALUE, "variable '", var, "': __shape__ '", text,
              "' has more than ", kMaxNdim, " dimensions");
    s.push_back(d < 0 ? 0 : d);  // -1 is NumPy-mode MXNet's unknown extent
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  // MXNet 1.x reads "()" as an unknown shape.
  return s.ndim() == 0 ? Shape::unknown() : s;
}

int parse_dtype_attr(const std::string& var, const std::string& text) {
  const std::string t = trim(text);
  DType d;
  if (dtype_from_name(t, &d)) return static_cast<int>(d);
  char* end = nullptr;
  long flag = std::strtol(t.c_str(), &end, 10);
  if (!t.empty() && *end == '\0') {
    if (flag == -1) return -1;
    for (int i = 0; i < kNumDTypes; ++i)
      if (dtype_info(static_cast<DType>(i)).mx_flag == flag) return i;
    static const char* const others[] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                         nullptr, nullptr, "int16", "uint16", "uint32", "uint64",
                                         "bfloat16"};
    const char* name = flag >= 0 && flag <= 12 ? others[flag] : nullptr;
    throw_error(MXL_ERR_TYPE, "variable '", var, "': attribute __dtype__ ", t,
                name ? std::string(" (") + name + ")" : std::string(),
                " is a dtype mxlite does not support");
  }
  throw_error(MXL_ERR_TYPE, "variable '", var, "': attribute __dtype__ '", text,
              "' is neither an MXNet type flag nor a dtype name");
}

void seed_shapes_from_attrs(const IndexedGraph& g, std::vector<Shape>* shapes) {
  for (uint32_t nid : g.input_nodes()) {
    const Node& n = g.node(nid);
    auto it = n.attrs.find("__shape__");
    Shape& s = (*shapes)[g.entry_id(nid, 0)];
    if (it != n.attrs.end() && !s.known()) s = parse_shape_attr(n.name, it->second);
  }
}

void seed_types_from_attrs(const IndexedGraph& g, std::vector<int>* types) {
  for (uint32_t nid : g.input_nodes()) {
    const Node& n = g.node(nid);
    auto it = n.attrs.find("__dtype__");
    int& t = (*types)[g.entry_id(nid, 0)];
    if (it != n.attrs.end() && t < 0) t = parse_dtype_attr(n.name, it->second);
  }
}

namespace {

// Applies caller-given values to the variables' entries.  T is Shape or int.
template <typename T, typename IsKnown>
void apply_known(const IndexedGraph& g, const std::vector<std::string>& names,
                 const std::vector<T>& known, IsKnown is_known, std::vector<T>* values,
                 const char* what) {
  if (names.empty()) {
    const auto& args = g.argument_nodes();
    MXL_CHECK(known.size() <= args.size(), MXL_ERR_VALUE, what, ": ", known.size(),
              " positional values given but the symbol has ", args.size(), " arguments");
    for (size_t i = 0; i < known.size(); ++i)
      if (is_known(known[i])) (*values)[g.entry_id(args[i], 0)] = known[i];
    return;
  }
  MXL_CHECK(names.size() == known.size(), MXL_ERR_VALUE, what, ": ", names.size(), " names but ",
            known.size(), " values");
  for (size_t i = 0; i < names.size(); ++i) {
    bool matched = false;
    for (uint32_t nid : g.input_nodes())
      if (g.node(nid).name == names[i]) {
        if (is_known(known[i])) (*values)[g.entry_id(nid, 0)] = known[i];
        matched = true;
      }
    if (!matched) {
      std::string cands;
      for (uint32_t nid : g.input_nodes()) cands += (cands.empty() ? "" : ", ") + g.node(nid).name;
      throw_error(MXL_ERR_KEY, what, ": '", names[i], "' is not an input of the symbol; its inputs "
                  "are: ", cands.empty() ? "(none)" : cands);
    }
  }
}

template <typename R, typename T>
void split(const IndexedGraph& g, const std::vector<T>& values, R* r) {
  for (uint32_t nid : g.argument_nodes()) r->args.push_back(values[g.entry_id(nid, 0)]);
  for (uint32_t nid : g.auxiliary_nodes()) r->aux.push_back(values[g.entry_id(nid, 0)]);
  for (const auto& e : g.outputs()) r->outs.push_back(values[g.entry_id(e)]);
}

}  // namespace

ShapeResult infer_shape(const Symbol& s, const std::vector<std::string>& names,
                        const std::vector<Shape>& known) {
  IndexedGraph g(s);
  std::vector<Shape> shapes(g.num_entries(), Shape::unknown());
  apply_known(g, names, known, [](const Shape& x) { return x.known(); }, &shapes, "infer_shape");
  seed_shapes_from_attrs(g, &shapes);
  ShapeResult r;
  r.complete = infer_shapes(g, &shapes) == 0;
  split(g, shapes, &r);
  return r;
}

TypeResult infer_type(const Symbol& s, const std::vector<std::string>& names,
                      const std::vector<int>& known) {
  IndexedGraph g(s);
  std::vector<int> types(g.num_entries(), -1);
  for (int t : known)
    MXL_CHECK(t >= -1 && t < kNumDTypes, MXL_ERR_TYPE, "infer_type: dtype code ", t, " is not valid");
  apply_known(g, names, known, [](int x) { return x >= 0; }, &types, "infer_type");
  seed_types_from_attrs(g, &types);
  TypeResult r;
  r.complete = infer_types(g, &types) == 0;
  split(g, types, &r);
  return r;
}

}  // namespace symbol
}  // namespace mxl
