// N-API entry points of BUS Lab's native accelerator. Every operation has the same shape:
//   op(heap: ArrayBuffer, params: Float64Array)
// where heap is the tfjs wasm backend's memory and params the operation's block (accelerator.h).
// Errors (a oneDNN failure, an offset outside the heap) become JavaScript exceptions.
#include <node_api.h>

#include <omp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <utility>

#ifdef __linux__
#include <sys/resource.h>
#include <cerrno>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <oneapi/dnnl/dnnl.hpp>

#include "accelerator.h"

namespace {

using buslab::Heap;

napi_value Throw(napi_env env, const std::string& message) {
  napi_throw_error(env, nullptr, message.c_str());
  return nullptr;
}

// Reads a parameter block (a Float64Array of exactly `count` values: a block of another size comes
// from a caller that speaks another layout); false with a pending exception otherwise.
bool ParamsOf(napi_env env, napi_value value, size_t count, double** params) {
  napi_typedarray_type type;
  size_t length = 0;
  void* p = nullptr;
  if (napi_get_typedarray_info(env, value, &type, &length, &p, nullptr, nullptr) != napi_ok || type != napi_float64_array || length != count) {
    Throw(env, "params must be a Float64Array of " + std::to_string(count) + " values");
    return false;
  }
  *params = static_cast<double*>(p);
  return true;
}

// Reads (heap, params) from argv[first], argv[first + 1]; false with a pending exception otherwise.
bool HeapAndParams(napi_env env, napi_value* argv, size_t first, size_t count, Heap* heap, double** params) {
  void* data = nullptr;
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, argv[first], &data, &bytes) != napi_ok) {
    Throw(env, "the heap must be an ArrayBuffer");
    return false;
  }
  *heap = Heap{static_cast<uint8_t*>(data), bytes};
  return ParamsOf(env, argv[first + 1], count, params);
}

template <typename F>
napi_value Guard(napi_env env, F&& body) {
  try {
    return body();
  } catch (const dnnl::error& err) {
    return Throw(env, std::string("oneDNN: ") + err.what());
  } catch (const std::exception& err) {
    return Throw(env, err.what());
  }
}

// conv(kind, heap, params)
napi_value Conv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = 0;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &kind) != napi_ok) return Throw(env, "conv(kind, heap, params) expected");
  Heap heap;
  double* p;
  if (!HeapAndParams(env, argv, 1, buslab::kConvolutionParams, &heap, &p)) return nullptr;
  return Guard(env, [&]() -> napi_value {
    buslab::Convolution(kind, heap, p);
    return nullptr;
  });
}

// implementation(kind, params): oneDNN's name for the implementation chosen for that shape.
napi_value Implementation(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &kind) != napi_ok) return Throw(env, "implementation(kind, params) expected");
  double* p;
  if (!ParamsOf(env, argv[1], buslab::kConvolutionParams, &p)) return nullptr;
  return Guard(env, [&]() -> napi_value {
    std::string impl = buslab::ConvolutionImplementation(kind, p);
    napi_value out;
    napi_create_string_utf8(env, impl.c_str(), impl.size(), &out);
    return out;
  });
}

template <void (*Op)(const Heap&, const double*), size_t kParams>
napi_value HeapOp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 2) return Throw(env, "(heap, params) expected");
  Heap heap;
  double* p;
  if (!HeapAndParams(env, argv, 0, kParams, &heap, &p)) return nullptr;
  return Guard(env, [&]() -> napi_value {
    Op(heap, p);
    return nullptr;
  });
}

// info(): { version (oneDNN's), library (the oneDNN file loaded), cachedPrimitives, threads }
napi_value Info(napi_env env, napi_callback_info) {
  std::string version = buslab::OneDnnVersion();
  std::string library = buslab::OneDnnLibrary();
  napi_value out, str, lib, count, threads;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, version.c_str(), version.size(), &str);
  napi_set_named_property(env, out, "version", str);
  napi_create_string_utf8(env, library.c_str(), library.size(), &lib);
  napi_set_named_property(env, out, "library", lib);
  napi_create_uint32(env, static_cast<uint32_t>(buslab::CachedConvolutions()), &count);
  napi_set_named_property(env, out, "cachedPrimitives", count);
  napi_create_uint32(env, static_cast<uint32_t>(omp_get_max_threads()), &threads);
  napi_set_named_property(env, out, "threads", threads);
  return out;
}

// setThreads(n): threads for every later call from this JavaScript thread (OpenMP's setting is
// per calling thread). Primitives are cached per thread count, so moving between counts (the
// engine's thread governor does, under load) compiles nothing twice.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) return Throw(env, "setThreads(n >= 1) expected");
  omp_set_num_threads(n);
  return nullptr;
}

// lowerThreadPriority(nice): gives the calling thread and its OpenMP team the nice value `nice`
// (never raising a priority), so that training in the editor's worker yields the cores to the UI.
// Linux only (nice is per thread there); returns how many threads now run at `nice` or lower.
napi_value LowerThreadPriority(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t nice = 0;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &nice) != napi_ok || nice < 0 || nice > 19) return Throw(env, "lowerThreadPriority(nice in 0..19) expected");
  int lowered = 0;
#ifdef __linux__
#pragma omp parallel reduction(+ : lowered)
  {
    const id_t tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, tid);
    if ((errno == 0 && current >= nice) || setpriority(PRIO_PROCESS, tid, nice) == 0) lowered += 1;
  }
#endif
  napi_value out;
  napi_create_int32(env, lowered, &out);
  return out;
}

// fmaPeak(seconds): { gflops, threads, isa }, the FP32 multiply-add peak measured on this
// thread's OpenMP team.
napi_value FmaPeak(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  double seconds = 0.6;
  if (argc >= 1 && napi_get_value_double(env, argv[0], &seconds) != napi_ok) return Throw(env, "fmaPeak(seconds) expected");
  if (!(seconds > 0 && seconds <= 30)) return Throw(env, "fmaPeak: seconds must be in (0, 30]");
  const buslab::PeakResult r = buslab::MeasureFmaPeak(seconds);
  napi_value out, gflops, threads, isa;
  napi_create_object(env, &out);
  napi_create_double(env, r.gflops, &gflops);
  napi_set_named_property(env, out, "gflops", gflops);
  napi_create_int32(env, r.threads, &threads);
  napi_set_named_property(env, out, "threads", threads);
  napi_create_string_utf8(env, r.isa, NAPI_AUTO_LENGTH, &isa);
  napi_set_named_property(env, out, "isa", isa);
  return out;
}

// Engines in this process: the JavaScript threads that run kernels (the extension host's training
// and evaluation workers share one addon). Each takes a slot and marks it while it computes; the
// engine's thread governor splits the free cores among the slots marked in the last moments.
constexpr int kEngineSlots = 64;
std::atomic<bool> engineSlotUsed[kEngineSlots];
std::atomic<int64_t> engineLastActiveMs[kEngineSlots];

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void ReleaseEngineSlot(void* arg) {
  const int slot = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  engineSlotUsed[slot].store(false);
}

// engineSlot(): a slot for the calling thread, released when its environment (a worker) ends; -1
// when all are taken.
napi_value EngineSlot(napi_env env, napi_callback_info) {
  int slot = -1;
  for (int i = 0; i < kEngineSlots && slot < 0; ++i) {
    bool expected = false;
    if (engineSlotUsed[i].compare_exchange_strong(expected, true)) slot = i;
  }
  if (slot >= 0) {
    engineLastActiveMs[slot].store(NowMs());
    napi_add_env_cleanup_hook(env, ReleaseEngineSlot, reinterpret_cast<void*>(static_cast<intptr_t>(slot)));
  }
  napi_value out;
  napi_create_int32(env, slot, &out);
  return out;
}

// activeEngines(slot, windowMs): marks `slot` active now and counts the slots marked within the
// last windowMs (itself included).
napi_value ActiveEngines(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t slot = -1;
  double window = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &slot) != napi_ok || napi_get_value_double(env, argv[1], &window) != napi_ok) {
    return Throw(env, "activeEngines(slot, windowMs) expected");
  }
  const int64_t now = NowMs();
  if (slot >= 0 && slot < kEngineSlots) engineLastActiveMs[slot].store(now);
  int count = 0;
  for (int i = 0; i < kEngineSlots; ++i) {
    if (engineSlotUsed[i].load() && now - engineLastActiveMs[i].load() <= static_cast<int64_t>(window)) ++count;
  }
  napi_value out;
  napi_create_int32(env, count, &out);
  return out;
}

// A model handle: the external's finalizer frees what an explicit inferenceFree did not.
struct ModelHandle {
  buslab::InferenceModel* model = nullptr;
  int64_t bytes = 0;
};

void FreeModel(napi_env env, ModelHandle* handle) {
  if (handle->model == nullptr) return;
  buslab::DestroyInferenceModel(handle->model);
  handle->model = nullptr;
  int64_t ignored;
  napi_adjust_external_memory(env, -handle->bytes, &ignored);
}

bool Float32ArrayOf(napi_env env, napi_value value, float** data, size_t* length) {
  napi_typedarray_type type;
  void* p = nullptr;
  if (napi_get_typedarray_info(env, value, &type, length, &p, nullptr, nullptr) != napi_ok || type != napi_float32_array) return false;
  *data = static_cast<float*>(p);
  return true;
}

int32_t IntProperty(napi_env env, napi_value object, const char* name) {
  napi_value v;
  int32_t out = -1;
  if (napi_get_named_property(env, object, name, &v) == napi_ok) napi_get_value_int32(env, v, &out);
  return out;
}

// inferenceModel({ baseWidth, depth, classifier }, tensors: Float32Array[]): a handle for
// inferenceRun; the tensors are copied.
napi_value InferenceModelCreate(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  bool isArray = false;
  if (argc < 2 || napi_is_array(env, argv[1], &isArray) != napi_ok || !isArray) return Throw(env, "inferenceModel(spec, tensors: Float32Array[]) expected");
  buslab::InferenceSpec spec{IntProperty(env, argv[0], "baseWidth"), IntProperty(env, argv[0], "depth"), false, false};
  napi_value flag;
  if (napi_get_named_property(env, argv[0], "classifier", &flag) == napi_ok) napi_get_value_bool(env, flag, &spec.classifier);
  if (napi_get_named_property(env, argv[0], "winograd", &flag) == napi_ok) napi_get_value_bool(env, flag, &spec.winograd);
  uint32_t count = 0;
  napi_get_array_length(env, argv[1], &count);
  std::vector<std::vector<float>> tensors(count);
  int64_t bytes = 0;
  for (uint32_t i = 0; i < count; ++i) {
    napi_value item;
    napi_get_element(env, argv[1], i, &item);
    float* data;
    size_t length;
    if (!Float32ArrayOf(env, item, &data, &length)) return Throw(env, "inferenceModel: tensor " + std::to_string(i) + " is not a Float32Array");
    tensors[i].assign(data, data + length);
    bytes += static_cast<int64_t>(length) * 4;
  }
  return Guard(env, [&]() -> napi_value {
    auto* handle = new ModelHandle{buslab::CreateInferenceModel(spec, std::move(tensors)), bytes};
    napi_value external;
    napi_create_external(
        env, handle,
        [](napi_env env, void* data, void*) {
          auto* h = static_cast<ModelHandle*>(data);
          FreeModel(env, h);
          delete h;
        },
        nullptr, &external);
    int64_t ignored;
    napi_adjust_external_memory(env, bytes, &ignored);
    return external;
  });
}

ModelHandle* HandleOf(napi_env env, napi_value value) {
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok) return nullptr;
  return static_cast<ModelHandle*>(data);
}

// inferenceRun(model, images, batch, size, seg, malignancy | null): oneDNN's name for each
// convolution's kernel, in graph order.
napi_value InferenceRun(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  ModelHandle* handle = argc >= 6 ? HandleOf(env, argv[0]) : nullptr;
  int32_t batch = 0, size = 0;
  float *images, *seg, *malignancy = nullptr;
  size_t imagesLength, segLength, malignancyLength = 0;
  if (handle == nullptr || napi_get_value_int32(env, argv[2], &batch) != napi_ok || napi_get_value_int32(env, argv[3], &size) != napi_ok ||
      !Float32ArrayOf(env, argv[1], &images, &imagesLength) || !Float32ArrayOf(env, argv[4], &seg, &segLength)) {
    return Throw(env, "inferenceRun(model, images: Float32Array, batch, size, seg: Float32Array, malignancy: Float32Array | null) expected");
  }
  napi_valuetype type;
  napi_typeof(env, argv[5], &type);
  if (type != napi_null && type != napi_undefined && !Float32ArrayOf(env, argv[5], &malignancy, &malignancyLength)) return Throw(env, "inferenceRun: malignancy must be a Float32Array or null");
  if (handle->model == nullptr) return Throw(env, "inferenceRun: the model was freed");
  const size_t values = static_cast<size_t>(batch) * static_cast<size_t>(size) * static_cast<size_t>(size);
  if (batch < 1 || size < 1 || imagesLength < values || segLength < values || (malignancy != nullptr && malignancyLength < static_cast<size_t>(batch))) {
    return Throw(env, "inferenceRun: buffers smaller than batch x size x size");
  }
  return Guard(env, [&]() -> napi_value {
    const std::vector<std::string> impls = buslab::RunInferenceModel(*handle->model, images, batch, size, seg, malignancy);
    napi_value list;
    napi_create_array_with_length(env, impls.size(), &list);
    for (size_t i = 0; i < impls.size(); ++i) {
      napi_value name;
      napi_create_string_utf8(env, impls[i].c_str(), impls[i].size(), &name);
      napi_set_element(env, list, static_cast<uint32_t>(i), name);
    }
    return list;
  });
}

// inferenceFree(model): frees the weights now rather than at garbage collection.
napi_value InferenceFree(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  ModelHandle* handle = argc >= 1 ? HandleOf(env, argv[0]) : nullptr;
  if (handle == nullptr) return Throw(env, "inferenceFree(model) expected");
  FreeModel(env, handle);
  return nullptr;
}

// abi: { version, params: { <operation>: parameter block size } }, checked by the engine before
// it calls anything else (accelerator.h, kAbiVersion).
napi_value Abi(napi_env env) {
  const std::pair<const char*, int> blocks[] = {
      {"conv", buslab::kConvolutionParams},
      {"copyColumns", buslab::kCopyColumnsParams},
      {"maxPoolGrad", buslab::kMaxPoolGradParams},
      {"batchNormReluForward", buslab::kBatchNormForwardParams},
      {"batchNormReluBackward", buslab::kBatchNormBackwardParams},
      {"adamUpdate", buslab::kAdamParams},
  };
  napi_value abi, version, params;
  napi_create_object(env, &abi);
  napi_create_int32(env, buslab::kAbiVersion, &version);
  napi_set_named_property(env, abi, "version", version);
  napi_create_object(env, &params);
  for (const auto& [name, count] : blocks) {
    napi_value n;
    napi_create_int32(env, count, &n);
    napi_set_named_property(env, params, name, n);
  }
  napi_set_named_property(env, abi, "params", params);
  return abi;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"implementation", nullptr, Implementation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"copyColumns", nullptr, HeapOp<buslab::CopyColumns, buslab::kCopyColumnsParams>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, HeapOp<buslab::MaxPoolGrad, buslab::kMaxPoolGradParams>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormReluForward", nullptr, HeapOp<buslab::BatchNormReluForward, buslab::kBatchNormForwardParams>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormReluBackward", nullptr, HeapOp<buslab::BatchNormReluBackward, buslab::kBatchNormBackwardParams>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamUpdate", nullptr, HeapOp<buslab::AdamUpdate, buslab::kAdamParams>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lowerThreadPriority", nullptr, LowerThreadPriority, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fmaPeak", nullptr, FmaPeak, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"inferenceModel", nullptr, InferenceModelCreate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"inferenceRun", nullptr, InferenceRun, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"inferenceFree", nullptr, InferenceFree, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"engineSlot", nullptr, EngineSlot, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"activeEngines", nullptr, ActiveEngines, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  napi_set_named_property(env, exports, "abi", Abi(env));
  return exports;
}

}  // namespace

NAPI_MODULE(bus_lab_accelerator, Init)
