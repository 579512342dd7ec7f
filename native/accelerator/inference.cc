// The U-Net's inference pass as one oneDNN graph: every convolution, pooling, up-sampling and
// concatenation runs on activations kept in oneDNN's blocked layout from the first layer to the
// last, with batch norm folded into the filters (by the engine, as its own inference does), ReLU as
// a post-op, and filters reordered once per model instead of once per call. The engine's per-op
// path (tfjs kernels over NHWC tensors) converts layouts and folds batch norm on every call.
//
// Two objects: a Plan holds the primitives and activation buffers for one (spec, batch, size,
// threads) and is cached process-wide, since creating primitives JIT-compiles code; a Model holds
// one network's weights, reordered into each plan's layouts on first use.
#include "accelerator.h"
#include "scratchpad.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace {

using dnnl::algorithm;
using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

int Width(const buslab::InferenceSpec& spec, int level) { return spec.baseWidth << level; }

// The blocked layout for `channels`: oneDNN's JIT convolutions take it as input. Left to itself
// (`any`), a concatenation at batch 1 chose a plain layout, and the convolution after it fell back
// to oneDNN's reference kernel (measured: 0.4 images/s at 128 px).
tag BlockedTag(memory::dim channels) {
  if (channels % 16 == 0) return tag::nChw16c;
  if (channels % 8 == 0) return tag::nChw8c;
  return tag::nhwc;
}

// One primitive with its arguments; `weight` and `bias` index the model's tensors (-1: none).
struct Step {
  buslab::Op prim;
  std::unordered_map<int, memory> args;
  int weight = -1;
  int bias = -1;
  bool transposed = false;  // weights of a transposed convolution ([kh, kw, out, in] in the engine)
  memory::desc weightDesc;  // the layout the primitive wants its weights in
};

}  // namespace

namespace buslab {

struct InferencePlan {
  InferenceSpec spec;
  int batch = 0, size = 0, threads = 0;
  std::vector<Step> steps;
  memory input;               // [N, 1, S, S], pointed at the caller's images on each run
  memory decoderOut;          // the last decoder activation, reordered to NHWC for the head
  memory bottleneckOut;       // the bottleneck activation, reordered to NHWC for the classifier
  std::vector<Step> finals;   // the two reorders above
  std::vector<std::string> implementations;  // oneDNN's name for each convolution's kernel
  std::mutex mutex;
  dnnl::stream stream{Engine()};
  buslab::ScratchBuffer scratch;  // lent to every primitive of the plan, under `mutex`
};

struct InferenceModel {
  InferenceSpec spec;
  std::vector<std::vector<float>> tensors;  // in InferenceTensorShapes' order, the engine's layouts
  // Weights in each plan's layouts, made on a plan's first use.
  std::map<const InferencePlan*, std::vector<memory>> prepared;
  std::mutex mutex;
};

// Tensor order and shapes (the engine's layouts): per encoder level, per bottleneck and per decoder
// level (deepest first) two folded 3x3 convolutions [3, 3, in, out] and their biases; a decoder
// level starts with the 2x2 transposed convolution [2, 2, out, in] and its bias; then the 1x1 head
// [1, 1, w0, 1] and its bias; then, with a classifier, [wDepth, 1] and its bias.
std::vector<std::vector<int64_t>> InferenceTensorShapes(const InferenceSpec& spec) {
  std::vector<std::vector<int64_t>> shapes;
  auto conv = [&](int64_t in, int64_t out) {
    shapes.push_back({3, 3, in, out});
    shapes.push_back({out});
  };
  int64_t in = 1;
  for (int i = 0; i < spec.depth; ++i) {
    conv(in, Width(spec, i));
    conv(Width(spec, i), Width(spec, i));
    in = Width(spec, i);
  }
  conv(Width(spec, spec.depth - 1), Width(spec, spec.depth));
  conv(Width(spec, spec.depth), Width(spec, spec.depth));
  for (int i = spec.depth - 1; i >= 0; --i) {
    shapes.push_back({2, 2, Width(spec, i), Width(spec, i + 1)});
    shapes.push_back({Width(spec, i)});
    conv(2 * Width(spec, i), Width(spec, i));
    conv(Width(spec, i), Width(spec, i));
  }
  shapes.push_back({1, 1, Width(spec, 0), 1});
  shapes.push_back({1});
  if (spec.classifier) {
    shapes.push_back({Width(spec, spec.depth), 1});
    shapes.push_back({1});
  }
  return shapes;
}

namespace {

// Builds the graph for one batch and size; activations get the layout oneDNN prefers (`any`).
class PlanBuilder {
 public:
  explicit PlanBuilder(InferencePlan& plan) : plan_(plan) {}

  void Build() {
    const InferenceSpec& s = plan_.spec;
    const memory::dim n = plan_.batch, size = plan_.size;
    plan_.input = memory(memory::desc({n, 1, size, size}, dt::f32, tag::nchw), Engine(), DNNL_MEMORY_NONE);
    memory cur = plan_.input;
    int tensor = 0;
    std::vector<memory> skips;
    for (int i = 0; i < s.depth; ++i) {
      cur = Conv(cur, Width(s, i), tensor);
      cur = Conv(cur, Width(s, i), tensor + 2);
      tensor += 4;
      skips.push_back(cur);
      cur = Pool(cur);
    }
    cur = Conv(cur, Width(s, s.depth), tensor);
    cur = Conv(cur, Width(s, s.depth), tensor + 2);
    tensor += 4;
    if (s.classifier) plan_.bottleneckOut = ToNhwc(cur);
    for (int i = s.depth - 1; i >= 0; --i) {
      memory up = Deconv(cur, Width(s, i), tensor);
      cur = Concat(up, skips[i]);
      cur = Conv(cur, Width(s, i), tensor + 2);
      cur = Conv(cur, Width(s, i), tensor + 4);
      tensor += 6;
    }
    plan_.decoderOut = ToNhwc(cur);
  }

 private:
  memory Conv(const memory& src, memory::dim out, int tensor) {
    const memory::dims dims = src.get_desc().dims();
    const memory::dim n = dims[0], in = dims[1], h = dims[2], w = dims[3];
    memory::desc wAny({out, in, 3, 3}, dt::f32, tag::any);
    memory::desc bias({out}, dt::f32, tag::a);
    memory::desc dstAny({n, out, h, w}, dt::f32, tag::any);
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f);
    dnnl::primitive_attr attr = buslab::WithUserScratchpad();
    attr.set_post_ops(ops);
    auto describe = [&](algorithm alg) {
      dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, alg, src.get_desc(), wAny, bias, dstAny, {1, 1}, {1, 1}, {1, 1});
      return dnnl::convolution_forward::primitive_desc(d, attr, Engine());
    };
    dnnl::convolution_forward::primitive_desc pd;
    bool done = false;
    if (plan_.spec.winograd) {
      try {
        pd = describe(algorithm::convolution_winograd);
        done = true;
      } catch (const dnnl::error&) {
      }
    }
    if (!done) pd = describe(algorithm::convolution_direct);
    plan_.implementations.push_back(pd.impl_info_str());
    memory dst(pd.dst_desc(), Engine());
    Step step;
    step.prim = buslab::MakeOp<dnnl::convolution_forward>(pd);
    step.args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    step.weight = tensor;
    step.bias = tensor + 1;
    step.weightDesc = pd.weights_desc();
    plan_.steps.push_back(std::move(step));
    return dst;
  }

  memory Pool(const memory& src) {
    const memory::dims dims = src.get_desc().dims();
    memory::desc dstAny({dims[0], dims[1], dims[2] / 2, dims[3] / 2}, dt::f32, tag::any);
    dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, algorithm::pooling_max, src.get_desc(), dstAny, {2, 2}, {2, 2}, {0, 0}, {0, 0});
    dnnl::pooling_forward::primitive_desc pd(d, buslab::WithUserScratchpad(), Engine());
    memory dst(pd.dst_desc(), Engine());
    Step step;
    step.prim = buslab::MakeOp<dnnl::pooling_forward>(pd);
    step.args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    plan_.steps.push_back(std::move(step));
    return dst;
  }

  // The 2x2, stride-2 transposed convolution (tfjs conv2dTranspose with 'same' padding) plus bias.
  memory Deconv(const memory& src, memory::dim out, int tensor) {
    const memory::dims dims = src.get_desc().dims();
    const memory::dim n = dims[0], in = dims[1], h = dims[2], w = dims[3];
    memory::desc wAny({out, in, 2, 2}, dt::f32, tag::any);
    memory::desc bias({out}, dt::f32, tag::a);
    memory::desc dstBlocked({n, out, 2 * h, 2 * w}, dt::f32, BlockedTag(out));
    dnnl::deconvolution_forward::desc d(dnnl::prop_kind::forward_inference, algorithm::deconvolution_direct, src.get_desc(), wAny, bias, dstBlocked, {2, 2}, {0, 0}, {0, 0});
    dnnl::deconvolution_forward::primitive_desc pd(d, buslab::WithUserScratchpad(), Engine());
    memory dst(pd.dst_desc(), Engine());
    Step step;
    step.prim = buslab::MakeOp<dnnl::deconvolution_forward>(pd);
    step.args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    step.weight = tensor;
    step.bias = tensor + 1;
    step.weightDesc = pd.weights_desc();
    step.transposed = true;
    plan_.steps.push_back(std::move(step));
    return dst;
  }

  // [upsampled, skip] along channels, as the engine's tf.concat does.
  memory Concat(const memory& up, const memory& skip) {
    const memory::dims a = up.get_desc().dims(), b = skip.get_desc().dims();
    memory::desc joined({a[0], a[1] + b[1], a[2], a[3]}, dt::f32, BlockedTag(a[1] + b[1]));
    dnnl::concat::primitive_desc pd(joined, 1, {up.get_desc(), skip.get_desc()}, Engine(), buslab::WithUserScratchpad());
    memory dst(pd.dst_desc(), Engine());
    Step step;
    step.prim = buslab::MakeOp<dnnl::concat>(pd);
    step.args = {{DNNL_ARG_MULTIPLE_SRC, up}, {DNNL_ARG_MULTIPLE_SRC + 1, skip}, {DNNL_ARG_DST, dst}};
    plan_.steps.push_back(std::move(step));
    return dst;
  }

  memory ToNhwc(const memory& src) {
    memory dst(memory::desc(src.get_desc().dims(), dt::f32, tag::nhwc), Engine());
    Step step;
    step.prim = buslab::MakeReorder(Engine(), src.get_desc(), dst.get_desc());
    step.args = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    plan_.finals.push_back(std::move(step));
    return dst;
  }

  InferencePlan& plan_;
};

std::mutex& PlanCacheMutex() {
  static std::mutex mutex;
  return mutex;
}

std::map<std::tuple<int, int, bool, bool, int, int, int>, std::unique_ptr<InferencePlan>>& PlanCache() {
  static std::map<std::tuple<int, int, bool, bool, int, int, int>, std::unique_ptr<InferencePlan>> cache;
  return cache;
}

InferencePlan& PlanFor(const InferenceSpec& spec, int batch, int size) {
  const int threads = omp_get_max_threads();
  std::lock_guard<std::mutex> lock(PlanCacheMutex());
  auto key = std::make_tuple(spec.baseWidth, spec.depth, spec.classifier, spec.winograd, batch, size, threads);
  auto& cache = PlanCache();
  auto found = cache.find(key);
  if (found != cache.end()) return *found->second;
  auto plan = std::make_unique<InferencePlan>();
  plan->spec = spec;
  plan->batch = batch;
  plan->size = size;
  plan->threads = threads;
  PlanBuilder(*plan).Build();
  InferencePlan& ref = *plan;
  cache.emplace(key, std::move(plan));
  return ref;
}

// The weights of `model` in `plan`'s layouts (reordered from the engine's on first use).
const std::vector<memory>& Prepared(InferenceModel& model, InferencePlan& plan) {
  std::lock_guard<std::mutex> lock(model.mutex);
  auto found = model.prepared.find(&plan);
  if (found != model.prepared.end()) return found->second;
  std::vector<memory> mems(model.tensors.size());
  for (const Step& step : plan.steps) {
    if (step.weight < 0) continue;
    const memory::dims dims = step.weightDesc.dims();  // {out, in, kh, kw}
    const memory::dim out = dims[0], in = dims[1], kw = dims[3];
    // The engine's filters: [kh, kw, in, out] for convolutions, [kh, kw, out, in] for transposed ones.
    memory::dims strides = step.transposed ? memory::dims{in, 1, kw * out * in, out * in} : memory::dims{1, out, kw * in * out, in * out};
    memory user(memory::desc(dims, dt::f32, strides), Engine(), model.tensors[step.weight].data());
    memory primW(step.weightDesc, Engine());
    plan.scratch.Reorder(buslab::MakeReorder(Engine(), user.get_desc(), primW.get_desc()), plan.stream, Engine(), user, primW);
    mems[step.weight] = primW;
    mems[step.bias] = memory(memory::desc({out}, dt::f32, tag::a), Engine(), model.tensors[step.bias].data());
  }
  plan.stream.wait();
  return model.prepared.emplace(&plan, std::move(mems)).first->second;
}

float Sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

}  // namespace

InferenceModel* CreateInferenceModel(const InferenceSpec& spec, std::vector<std::vector<float>> tensors) {
  if (spec.baseWidth < 1 || spec.depth < 1 || spec.depth > 8) throw std::invalid_argument("inference model: width >= 1 and depth in 1..8 expected");
  const auto shapes = InferenceTensorShapes(spec);
  if (tensors.size() != shapes.size()) {
    throw std::invalid_argument("inference model: " + std::to_string(shapes.size()) + " tensors expected, got " + std::to_string(tensors.size()));
  }
  for (size_t i = 0; i < shapes.size(); ++i) {
    size_t count = 1;
    for (int64_t d : shapes[i]) count *= static_cast<size_t>(d);
    if (tensors[i].size() != count) {
      throw std::invalid_argument("inference model: tensor " + std::to_string(i) + " has " + std::to_string(tensors[i].size()) + " values, expected " + std::to_string(count));
    }
  }
  auto model = new InferenceModel();
  model->spec = spec;
  model->tensors = std::move(tensors);
  return model;
}

void DestroyInferenceModel(InferenceModel* model) { delete model; }

std::vector<std::string> RunInferenceModel(InferenceModel& model, const float* images, int batch, int size, float* seg, float* malignancy) {
  const InferenceSpec& spec = model.spec;
  if (batch < 1 || size < 1 || size % (1 << spec.depth) != 0) {
    throw std::invalid_argument("inference model: batch >= 1 and a size divisible by " + std::to_string(1 << spec.depth) + " expected");
  }
  InferencePlan& plan = PlanFor(spec, batch, size);
  std::lock_guard<std::mutex> lock(plan.mutex);
  const std::vector<memory>& weights = Prepared(model, plan);
  plan.input.set_data_handle(const_cast<float*>(images));
  for (Step& step : plan.steps) {
    std::unordered_map<int, memory> args = step.args;
    if (step.weight >= 0) {
      args.emplace(DNNL_ARG_WEIGHTS, weights[step.weight]);
      args.emplace(DNNL_ARG_BIAS, weights[step.bias]);
    }
    plan.scratch.Execute(step.prim, plan.stream, Engine(), std::move(args));
  }
  for (Step& step : plan.finals) plan.scratch.Execute(step.prim, plan.stream, Engine(), step.args);
  plan.stream.wait();

  // The 1x1 head and the classifier: a dot product per pixel (per image), then the sigmoid.
  const int tensors = static_cast<int>(model.tensors.size());
  const int head = spec.classifier ? tensors - 4 : tensors - 2;
  const float* headW = model.tensors[head].data();
  const float headB = model.tensors[head + 1][0];
  const int c0 = Width(spec, 0);
  const float* act = static_cast<const float*>(plan.decoderOut.get_data_handle());
  const int64_t pixels = static_cast<int64_t>(batch) * size * size;
#pragma omp parallel for schedule(static)
  for (int64_t p = 0; p < pixels; ++p) {
    const float* v = act + p * c0;
    float z = headB;
    for (int c = 0; c < c0; ++c) z += v[c] * headW[c];
    seg[p] = Sigmoid(z);
  }
  if (spec.classifier && malignancy != nullptr) {
    const float* clsW = model.tensors[tensors - 2].data();
    const float clsB = model.tensors[tensors - 1][0];
    const int cd = Width(spec, spec.depth);
    const int64_t area = static_cast<int64_t>(size >> spec.depth) * (size >> spec.depth);
    const float* bottom = static_cast<const float*>(plan.bottleneckOut.get_data_handle());
    for (int b = 0; b < batch; ++b) {
      std::vector<double> mean(cd, 0.0);
      for (int64_t p = 0; p < area; ++p) {
        const float* v = bottom + (b * area + p) * cd;
        for (int c = 0; c < cd; ++c) mean[c] += v[c];
      }
      float z = clsB;
      for (int c = 0; c < cd; ++c) z += static_cast<float>(mean[c] / static_cast<double>(area)) * clsW[c];
      malignancy[b] = Sigmoid(z);
    }
  }
  return plan.implementations;
}

}  // namespace buslab
