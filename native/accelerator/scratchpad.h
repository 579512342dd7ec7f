// oneDNN's default ("library") scratchpad belongs to the thread that created a primitive: a
// primitive may not run on another thread, and once its creating thread exits it points at freed
// memory. The accelerator caches primitives process-wide and runs them from whichever thread trains
// or evaluates (the extension's engine workers come and go; a worker that evaluated and exited
// crashed the next user of its inference plan with SIGSEGV), so every primitive here is created in
// "user" scratchpad mode and handed its scratchpad by the caller, from a buffer that is only used
// under the lock that serialises its primitives.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <unordered_map>

namespace buslab {

inline dnnl::primitive_attr WithUserScratchpad(dnnl::primitive_attr attr = dnnl::primitive_attr()) {
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// A primitive and the scratchpad it asks for (size 0 when it needs none).
struct Op {
  dnnl::primitive prim;
  dnnl::memory::desc scratch;
};

template <typename Primitive, typename PrimitiveDesc>
Op MakeOp(const PrimitiveDesc& pd) {
  return Op{Primitive(pd), pd.scratchpad_desc()};
}

inline Op MakeReorder(const dnnl::engine& engine, const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
  return MakeOp<dnnl::reorder>(dnnl::reorder::primitive_desc(engine, from, engine, to, WithUserScratchpad()));
}

// One growing, 64-byte-aligned buffer that lends every execution its scratchpad.
class ScratchBuffer {
 public:
  void Execute(const Op& op, dnnl::stream& stream, const dnnl::engine& engine, std::unordered_map<int, dnnl::memory> args) {
    const size_t bytes = op.scratch.get_size();
    if (bytes > 0) args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(op.scratch, engine, Reserve(bytes)));
    op.prim.execute(stream, args);
  }

  void Reorder(const Op& op, dnnl::stream& stream, const dnnl::engine& engine, const dnnl::memory& from, const dnnl::memory& to) {
    Execute(op, stream, engine, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
  }

 private:
  void* Reserve(size_t bytes) {
    if (bytes > capacity_) {
      const size_t rounded = (bytes + 63) / 64 * 64;
      void* p = std::aligned_alloc(64, rounded);
      if (p == nullptr) throw std::bad_alloc();
      data_.reset(static_cast<uint8_t*>(p));
      capacity_ = rounded;
    }
    return data_.get();
  }

  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t capacity_ = 0;
};

}  // namespace buslab
