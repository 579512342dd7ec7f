// Shared declarations of BUS Lab's native accelerator (see addon.cc for how it is called).
//
// Every operation works on tensors inside one byte buffer, the tfjs wasm backend's heap, at byte
// offsets the caller passes in a block of doubles (small integers, exact in a double). Layouts are
// tfjs's: activations NHWC, convolution filters [kh, kw, in, out].
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace buslab {

// The calling convention's version. The addon exports it with every parameter block's size
// (`abi` in addon.cc), and the engine loads an addon only when both match its own
// (src/engine/backend/accelerator/abi.ts), so an addon from another build is never handed a block
// it would misread. Bump it whenever an operation's arguments or a parameter slot's meaning change.
constexpr int kAbiVersion = 2;

// The heap, with bounds-checked access: a wrong offset throws instead of corrupting memory.
struct Heap {
  uint8_t* base;
  size_t bytes;

  float* f32(double offset, double count) const {
    if (offset < 0 || count < 0 || offset + 4 * count > static_cast<double>(bytes) || static_cast<size_t>(offset) % 4 != 0) {
      throw std::out_of_range("tensor at byte " + std::to_string(static_cast<int64_t>(offset)) + " (" + std::to_string(static_cast<int64_t>(count)) +
                              " floats) lies outside the heap");
    }
    return reinterpret_cast<float*>(base + static_cast<size_t>(offset));
  }
};

// convolution.cc (oneDNN). kind: 0 forward, 1 input gradient, 2 filter gradient.
void Convolution(int kind, const Heap& heap, const double* params);
std::string ConvolutionImplementation(int kind, const double* params);
size_t CachedConvolutions();
std::string OneDnnVersion();
// The file the oneDNN library was loaded from ("" where the platform cannot say).
std::string OneDnnLibrary();
constexpr int kConvolutionParams = 22;

// layout.cc: concatenation and split along the last axis, as strided row copies.
// params: rows, width, srcOffset, srcRowStride, dstOffset, dstRowStride (strides in floats).
void CopyColumns(const Heap& heap, const double* params);
constexpr int kCopyColumnsParams = 6;

// pooling.cc: max-pool input gradient for non-overlapping windows (stride >= window).
// params: N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL, xOffset, dyOffset, dxOffset (the argmax is
// found again in x, so the pooled output is not needed).
void MaxPoolGrad(const Heap& heap, const double* params);
constexpr int kMaxPoolGradParams = 15;

// batch_norm.cc: training-mode batch norm with the batch's statistics, then ReLU, over the last
// axis. Forward params: rows, C, epsilon, x, gamma, beta, out, mean, variance.
// Backward params: rows, C, epsilon, dy, x, gamma, out, mean, variance, dx, dgamma, dbeta.
void BatchNormReluForward(const Heap& heap, const double* params);
void BatchNormReluBackward(const Heap& heap, const double* params);
constexpr int kBatchNormForwardParams = 9;
constexpr int kBatchNormBackwardParams = 12;

// adam.cc: one Adam step for one variable (tfjs's AdamOptimizer formula).
// params: n, value, m, v, gradient, accBeta1 (1 float), accBeta2 (1 float), outValue, outM, outV,
//         learningRate, beta1, beta2, epsilon.
void AdamUpdate(const Heap& heap, const double* params);
constexpr int kAdamParams = 14;

// peak.cc: the measured FP32 FMA peak of the calling thread's OpenMP team (best of three timed
// loops lasting about `seconds` in all).
struct PeakResult {
  double gflops;
  int threads;
  double seconds;
  const char* isa;
  double sink;  // the loop's result, so the compiler cannot drop it
};
PeakResult MeasureFmaPeak(double seconds);

// inference.cc: the whole U-Net inference pass as one oneDNN graph (blocked layouts end to end).
struct InferenceSpec {
  int baseWidth;
  int depth;
  bool classifier;
  bool winograd;  // 3x3 convolutions as Winograd F(4x4, 3x3) where oneDNN has it, else direct
};
struct InferenceModel;
// The shapes of the tensors a model takes, in order (the engine's layouts; see inference.cc).
std::vector<std::vector<int64_t>> InferenceTensorShapes(const InferenceSpec& spec);
// Takes the tensors (batch norm already folded); throws when their count or sizes are wrong.
InferenceModel* CreateInferenceModel(const InferenceSpec& spec, std::vector<std::vector<float>> tensors);
void DestroyInferenceModel(InferenceModel* model);
// images [batch, size, size] in [0, 1] -> seg [batch, size, size] probabilities and, with a
// classifier, malignancy [batch] (may be null). Returns oneDNN's name for each convolution's kernel.
std::vector<std::string> RunInferenceModel(InferenceModel& model, const float* images, int batch, int size, float* seg, float* malignancy);

}  // namespace buslab
