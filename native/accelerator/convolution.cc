// Convolutions on oneDNN, the library PyTorch's CPU convolutions run on: forward (bias and ReLU
// fused), input gradient and filter gradient, on tensors in place in the heap.
//
// oneDNN picks its own (blocked) filter layout; filters are reordered into it and filter gradients
// reordered back, which is cheap next to the convolution. Primitives are created once per shape and
// thread count (creation JIT-compiles code) and cached. For the U-Net's 3x3 layers of the sizes
// where it measured faster (WinogradPays), a Winograd F(4x4, 3x3) kernel runs instead, on blocked
// activations reordered from and to NHWC around the call (BUS_LAB_CONV_ALGORITHM forces one:
// direct | winograd).
#include "accelerator.h"
#include "scratchpad.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#if defined(__linux__) || defined(__APPLE__)
#include <dlfcn.h>
#endif

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

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
// tfjs's hwio layout and the primitive's own, with the buffer in the primitive's layout. A
// Winograd entry also reorders the activations between NHWC and oneDNN's blocked nChw16c, the only
// layout its Winograd kernels take, around the call.
struct Entry {
  buslab::Op prim;
  memory::desc userW;
  memory::desc primW;
  bool reorderW = false;
  buslab::Op reorderPrim;
  memory primWMem;
  bool blocked = false;
  memory::desc blockedX, blockedY;
  buslab::Op xToBlocked, yToBlocked, xFromBlocked, yFromBlocked;
  std::string impl;
};

dnnl::convolution_forward::primitive_desc ForwardDesc(const Shapes& s, bool withBias, bool relu, algorithm alg = algorithm::convolution_direct, tag layout = tag::nhwc) {
  memory::desc x(s.x, dt::f32, layout);
  memory::desc w(s.w, dt::f32, tag::any);
  memory::desc y(s.y, dt::f32, layout);
  dnnl::primitive_attr attr = buslab::WithUserScratchpad();
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  if (withBias) {
    memory::desc b(s.b, dt::f32, tag::a);
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, alg, x, w, b, y, s.strides, s.dilates, s.padL, s.padR);
    return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
  }
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, alg, x, w, y, s.strides, s.dilates, s.padL, s.padR);
  return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
}

// Winograd F(4x4, 3x3) is worth trying only for the U-Net's 3x3, stride-1 'same' convolutions
// without fused bias or ReLU (the training graph's) on whole 16-channel blocks.
bool WinogradCandidate(const Shapes& s) {
  return s.w[2] == 3 && s.w[3] == 3 && s.strides[0] == 1 && s.strides[1] == 1 && s.dilates[0] == 0 && s.dilates[1] == 0 && s.padL[0] == 1 &&
         s.padL[1] == 1 && s.padR[0] == 1 && s.padR[1] == 1 && !s.hasBias && !s.relu && s.x[1] % 16 == 0 && s.y[1] % 16 == 0;
}

std::unique_ptr<Entry> Create(Kind kind, const Shapes& s, bool winograd) {
  auto e = std::make_unique<Entry>();
  const algorithm alg = winograd ? algorithm::convolution_winograd : algorithm::convolution_direct;
  const tag layout = winograd ? tag::nChw16c : tag::nhwc;
  e->userW = memory::desc(s.w, dt::f32, tag::hwio);
  memory::desc x(s.x, dt::f32, layout);
  memory::desc y(s.y, dt::f32, layout);
  if (kind == kForward) {
    auto pd = ForwardDesc(s, s.hasBias, s.relu, alg, layout);
    e->prim = buslab::MakeOp<dnnl::convolution_forward>(pd);
    e->primW = pd.weights_desc();
    e->impl = pd.impl_info_str();
  } else if (kind == kBackwardData) {
    auto hint = ForwardDesc(s, false, false, alg, layout);
    memory::desc w(s.w, dt::f32, tag::any);
    dnnl::convolution_backward_data::desc d(alg, x, w, y, s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, buslab::WithUserScratchpad(), Engine(), hint);
    e->prim = buslab::MakeOp<dnnl::convolution_backward_data>(pd);
    e->primW = pd.weights_desc();
    e->impl = pd.impl_info_str();
  } else {
    auto hint = ForwardDesc(s, false, false, alg, layout);
    memory::desc dw(s.w, dt::f32, tag::any);
    dnnl::convolution_backward_weights::desc d(alg, x, dw, y, s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, buslab::WithUserScratchpad(), Engine(), hint);
    e->prim = buslab::MakeOp<dnnl::convolution_backward_weights>(pd);
    e->primW = pd.diff_weights_desc();
    e->impl = pd.impl_info_str();
  }
  e->reorderW = e->primW != e->userW;
  if (e->reorderW) {
    e->primWMem = memory(e->primW, Engine());
    if (kind == kBackwardWeights) {
      e->reorderPrim = buslab::MakeReorder(Engine(), e->primW, e->userW);
    } else {
      e->reorderPrim = buslab::MakeReorder(Engine(), e->userW, e->primW);
    }
  }
  if (winograd) {
    e->blocked = true;
    e->blockedX = x;
    e->blockedY = y;
    memory::desc userX(s.x, dt::f32, tag::nhwc), userY(s.y, dt::f32, tag::nhwc);
    e->xToBlocked = buslab::MakeReorder(Engine(), userX, x);
    e->yToBlocked = buslab::MakeReorder(Engine(), userY, y);
    e->xFromBlocked = buslab::MakeReorder(Engine(), x, userX);
    e->yFromBlocked = buslab::MakeReorder(Engine(), y, userY);
    e->impl += " (Winograd, blocked)";
  }
  return e;
}

double Count(const memory::dims& dims) {
  double n = 1;
  for (auto d : dims) n *= static_cast<double>(d);
  return n;
}

// Two buffers for blocked activations, shared by every entry (calls are serialised by the cache
// mutex) and grown to the largest layer.
float* Scratch(int which, size_t floats) {
  static std::vector<float> buffers[2];
  if (buffers[which].size() < floats) buffers[which].resize(floats);
  return buffers[which].data();
}

// x, w, b, y: the tensors in tfjs's layouts (b may be null).
void Execute(Kind kind, const Shapes& s, Entry& e, float* xPtr, float* wPtr, float* bPtr, float* yPtr) {
  auto& strm = Stream();
  static buslab::ScratchBuffer scratch;  // used under the cache mutex only
  auto run = [&](const buslab::Op& op, std::unordered_map<int, memory> args) { scratch.Execute(op, strm, Engine(), std::move(args)); };
  auto reorder = [&](const buslab::Op& op, const memory& from, const memory& to) { scratch.Reorder(op, strm, Engine(), from, to); };
  memory x(memory::desc(s.x, dt::f32, tag::nhwc), Engine(), xPtr);
  memory y(memory::desc(s.y, dt::f32, tag::nhwc), Engine(), yPtr);
  memory userW(e.userW, Engine(), wPtr);
  memory bx = x, by = y;
  if (e.blocked) {
    bx = memory(e.blockedX, Engine(), Scratch(0, e.blockedX.get_size() / sizeof(float)));
    by = memory(e.blockedY, Engine(), Scratch(1, e.blockedY.get_size() / sizeof(float)));
  }
  if (kind == kForward) {
    memory w = userW;
    if (e.reorderW) {
      reorder(e.reorderPrim, userW, e.primWMem);
      w = e.primWMem;
    }
    if (e.blocked) reorder(e.xToBlocked, x, bx);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, bx}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, by}};
    if (s.hasBias) args.emplace(DNNL_ARG_BIAS, memory(memory::desc(s.b, dt::f32, tag::a), Engine(), bPtr));
    run(e.prim, std::move(args));
    if (e.blocked) reorder(e.yFromBlocked, by, y);
  } else if (kind == kBackwardData) {
    memory w = userW;
    if (e.reorderW) {
      reorder(e.reorderPrim, userW, e.primWMem);
      w = e.primWMem;
    }
    if (e.blocked) reorder(e.yToBlocked, y, by);
    run(e.prim, {{DNNL_ARG_DIFF_DST, by}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, bx}});
    if (e.blocked) reorder(e.xFromBlocked, bx, x);
  } else {
    if (e.blocked) {
      reorder(e.xToBlocked, x, bx);
      reorder(e.yToBlocked, y, by);
    }
    memory dw = e.reorderW ? e.primWMem : userW;
    run(e.prim, {{DNNL_ARG_SRC, bx}, {DNNL_ARG_DIFF_DST, by}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
    if (e.reorderW) reorder(e.reorderPrim, e.primWMem, userW);
  }
  strm.wait();
}

// Where Winograd (with its reorders) beat direct convolution for the U-Net's 3x3 layers, by
// direction and feature-map size, measured layer by layer on the development machine
// (bench/winograd-layers.cc, docs/PERFORMANCE.md). A fixed rule, not a timing at run time: the
// two algorithms round differently, and a choice that flipped with the machine's load would give
// the same seed different weights from one run to the next.
bool WinogradPays(Kind kind, const Shapes& s) {
  const memory::dim size = s.x[2];  // stride 1, 'same': the output is the input's size
  const memory::dim in = s.x[1];
  switch (kind) {
    case kForward:
      return size >= 16 && size <= 64 && in >= 32;
    case kBackwardData:
      return size >= 16 && size <= 64;
    default:
      return size >= 16 && size <= 32;  // weight gradient
  }
}

// BUS_LAB_CONV_ALGORITHM: 'direct' or 'winograd' forces one where Winograd applies; otherwise
// ('auto') WinogradPays decides.
enum class AlgorithmChoice { kAuto, kDirect, kWinograd };
AlgorithmChoice ChoiceFromEnv() {
  const char* v = std::getenv("BUS_LAB_CONV_ALGORITHM");
  if (v != nullptr && std::strcmp(v, "direct") == 0) return AlgorithmChoice::kDirect;
  if (v != nullptr && std::strcmp(v, "winograd") == 0) return AlgorithmChoice::kWinograd;
  return AlgorithmChoice::kAuto;
}

std::unique_ptr<Entry> CreateEntry(Kind kind, const Shapes& s) {
  static const AlgorithmChoice choice = ChoiceFromEnv();
  const bool winograd = WinogradCandidate(s) && (choice == AlgorithmChoice::kWinograd || (choice == AlgorithmChoice::kAuto && WinogradPays(kind, s)));
  if (!winograd) return Create(kind, s, false);
  try {
    return Create(kind, s, true);
  } catch (const dnnl::error&) {
    return Create(kind, s, false);  // no Winograd kernel for this shape on this CPU
  }
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
  auto created = CreateEntry(kind, ShapesOf(p));
  Entry& ref = *created;
  cache.emplace(key, std::move(created));
  return ref;
}

void Run(Kind kind, const buslab::Heap& heap, const double* p) {
  Shapes s = ShapesOf(p);
  Entry& e = Lookup(kind, p);
  float* b = s.hasBias ? heap.f32(p[kBOff], Count(s.b)) : nullptr;
  Execute(kind, s, e, heap.f32(p[kXOff], Count(s.x)), heap.f32(p[kWOff], Count(s.w)), b, heap.f32(p[kYOff], Count(s.y)));
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
