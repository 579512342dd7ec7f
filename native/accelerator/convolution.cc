// Convolutions on oneDNN, the library PyTorch's CPU convolutions run on: forward (bias and ReLU
// fused), input gradient and filter gradient, on tensors in place in the heap.
//
// oneDNN picks its own (blocked) filter layout; filters are reordered into it and filter gradients
// reordered back, which is cheap next to the convolution. Primitives are created once per shape
// (creation JIT-compiles code) and cached.
#include "accelerator.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#if defined(__linux__) || defined(__APPLE__)
#include <dlfcn.h>
#endif

#include <memory>
#include <mutex>
#include <unordered_map>

namespace {

using dnnl::algorithm;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// Layout of the Float64Array of parameters every call takes (small integers, exact in a double).
enum Param {
  kN, kH, kW, kCi,     // input x: [N, H, W, Ci]
  kOH, kOW, kCo,       // output y: [N, OH, OW, Co]
  kKH, kKW,            // filter: [KH, KW, Ci, Co]
  kSH, kSW,            // strides
  kDH, kDW,            // dilations (1 = none)
  kPT, kPL, kPB, kPR,  // padding: top, left, bottom, right
  kXOff, kWOff, kBOff, kYOff,  // byte offsets into the heap; kBOff < 0: no bias
  kRelu,               // 1: ReLU after the bias (forward only)
  kParamCount
};

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };
static_assert(kParamCount == buslab::kConvolutionParams, "parameter block out of step with accelerator.h");

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& Stream() {
  static dnnl::stream stream(Engine());
  return stream;
}

struct Shapes {
  memory::dims x, w, b, y, strides, dilates, padL, padR;
  bool hasBias, relu;
};

Shapes ShapesOf(const double* p) {
  auto d = [p](Param i) { return static_cast<memory::dim>(p[i]); };
  Shapes s;
  s.x = {d(kN), d(kCi), d(kH), d(kW)};
  s.w = {d(kCo), d(kCi), d(kKH), d(kKW)};
  s.b = {d(kCo)};
  s.y = {d(kN), d(kCo), d(kOH), d(kOW)};
  s.strides = {d(kSH), d(kSW)};
  s.dilates = {d(kDH) - 1, d(kDW) - 1};  // oneDNN counts the gaps, tfjs the step
  s.padL = {d(kPT), d(kPL)};
  s.padR = {d(kPB), d(kPR)};
  s.hasBias = p[kBOff] >= 0;
  s.relu = p[kRelu] != 0;
  return s;
}

// One cached convolution: the primitive, and the filter (or filter-gradient) reorder between
// tfjs's hwio layout and the primitive's own, with the buffer in the primitive's layout.
struct Entry {
  dnnl::primitive prim;
  memory::desc userW;
  memory::desc primW;
  bool reorderW = false;
  dnnl::reorder reorderPrim;
  memory primWMem;
  std::string impl;
};

dnnl::convolution_forward::primitive_desc ForwardDesc(const Shapes& s, bool withBias, bool relu) {
  memory::desc x(s.x, dt::f32, tag::nhwc);
  memory::desc w(s.w, dt::f32, tag::any);
  memory::desc y(s.y, dt::f32, tag::nhwc);
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  if (withBias) {
    memory::desc b(s.b, dt::f32, tag::a);
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, algorithm::convolution_direct, x, w, b, y, s.strides, s.dilates, s.padL, s.padR);
    return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
  }
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, algorithm::convolution_direct, x, w, y, s.strides, s.dilates, s.padL, s.padR);
  return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
}

std::unique_ptr<Entry> Create(Kind kind, const Shapes& s) {
  auto e = std::make_unique<Entry>();
  e->userW = memory::desc(s.w, dt::f32, tag::hwio);
  if (kind == kForward) {
    auto pd = ForwardDesc(s, s.hasBias, s.relu);
    e->prim = dnnl::convolution_forward(pd);
    e->primW = pd.weights_desc();
    e->impl = pd.impl_info_str();
  } else if (kind == kBackwardData) {
    auto hint = ForwardDesc(s, false, false);
    memory::desc dx(s.x, dt::f32, tag::nhwc);
    memory::desc w(s.w, dt::f32, tag::any);
    memory::desc dy(s.y, dt::f32, tag::nhwc);
    dnnl::convolution_backward_data::desc d(algorithm::convolution_direct, dx, w, dy, s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, Engine(), hint);
    e->prim = dnnl::convolution_backward_data(pd);
    e->primW = pd.weights_desc();
    e->impl = pd.impl_info_str();
  } else {
    auto hint = ForwardDesc(s, false, false);
    memory::desc x(s.x, dt::f32, tag::nhwc);
    memory::desc dw(s.w, dt::f32, tag::any);
    memory::desc dy(s.y, dt::f32, tag::nhwc);
    dnnl::convolution_backward_weights::desc d(algorithm::convolution_direct, x, dw, dy, s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, Engine(), hint);
    e->prim = dnnl::convolution_backward_weights(pd);
    e->primW = pd.diff_weights_desc();
    e->impl = pd.impl_info_str();
  }
  e->reorderW = e->primW != e->userW;
  if (e->reorderW) {
    e->primWMem = memory(e->primW, Engine());
    if (kind == kBackwardWeights) {
      e->reorderPrim = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), e->primW, Engine(), e->userW));
    } else {
      e->reorderPrim = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), e->userW, Engine(), e->primW));
    }
  }
  return e;
}

std::unordered_map<std::string, std::unique_ptr<Entry>>& Cache() {
  static std::unordered_map<std::string, std::unique_ptr<Entry>> cache;
  return cache;
}

Entry& Lookup(Kind kind, const double* p) {
  // oneDNN sizes a primitive's work split for the thread count it was created under.
  std::string key = std::to_string(kind) + "@" + std::to_string(omp_get_max_threads());
  for (int i = 0; i < kParamCount; ++i) {
    if (i == kXOff || i == kWOff || i == kYOff) continue;
    if (i == kBOff) {
      key += p[i] >= 0 ? ",b" : ",-";
      continue;
    }
    key += ',';
    key += std::to_string(static_cast<int64_t>(p[i]));
  }
  auto& cache = Cache();
  auto found = cache.find(key);
  if (found != cache.end()) return *found->second;
  auto created = Create(kind, ShapesOf(p));
  Entry& ref = *created;
  cache.emplace(key, std::move(created));
  return ref;
}

double Count(const memory::dims& dims) {
  double n = 1;
  for (auto d : dims) n *= static_cast<double>(d);
  return n;
}

void Run(Kind kind, const buslab::Heap& heap, const double* p) {
  Shapes s = ShapesOf(p);
  Entry& e = Lookup(kind, p);
  auto& strm = Stream();
  memory x(memory::desc(s.x, dt::f32, tag::nhwc), Engine(), heap.f32(p[kXOff], Count(s.x)));
  memory y(memory::desc(s.y, dt::f32, tag::nhwc), Engine(), heap.f32(p[kYOff], Count(s.y)));
  memory userW(e.userW, Engine(), heap.f32(p[kWOff], Count(s.w)));
  if (kind == kForward) {
    memory w = userW;
    if (e.reorderW) {
      e.reorderPrim.execute(strm, userW, e.primWMem);
      w = e.primWMem;
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}};
    if (s.hasBias) args.emplace(DNNL_ARG_BIAS, memory(memory::desc(s.b, dt::f32, tag::a), Engine(), heap.f32(p[kBOff], Count(s.b))));
    e.prim.execute(strm, args);
  } else if (kind == kBackwardData) {
    memory w = userW;
    if (e.reorderW) {
      e.reorderPrim.execute(strm, userW, e.primWMem);
      w = e.primWMem;
    }
    e.prim.execute(strm, {{DNNL_ARG_DIFF_DST, y}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, x}});
  } else {
    memory dw = e.reorderW ? e.primWMem : userW;
    e.prim.execute(strm, {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, y}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
    if (e.reorderW) e.reorderPrim.execute(strm, e.primWMem, userW);
  }
  strm.wait();
}

}  // namespace

namespace buslab {

// One process may load the addon in several worker threads (the extension's training and
// evaluation workers); the primitive cache, its filter buffers and the stream are shared.
std::mutex& CacheMutex() {
  static std::mutex mutex;
  return mutex;
}

void Convolution(int kind, const Heap& heap, const double* params) {
  if (kind < kForward || kind > kBackwardWeights) throw std::invalid_argument("unknown convolution kind " + std::to_string(kind));
  std::lock_guard<std::mutex> lock(CacheMutex());
  Run(static_cast<Kind>(kind), heap, params);
}

std::string ConvolutionImplementation(int kind, const double* params) {
  if (kind < kForward || kind > kBackwardWeights) throw std::invalid_argument("unknown convolution kind " + std::to_string(kind));
  std::lock_guard<std::mutex> lock(CacheMutex());
  return Lookup(static_cast<Kind>(kind), params).impl;
}

size_t CachedConvolutions() {
  std::lock_guard<std::mutex> lock(CacheMutex());
  return Cache().size();
}

std::string OneDnnLibrary() {
#if defined(__linux__) || defined(__APPLE__)
  Dl_info info;
  if (dladdr(reinterpret_cast<const void*>(&dnnl_version), &info) != 0 && info.dli_fname != nullptr) return info.dli_fname;
#endif
  return "";
}

std::string OneDnnVersion() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

}  // namespace buslab
