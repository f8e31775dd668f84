// Checkpoint I/O: a stored ZIP record read straight into a new tensor's memory (pread, CRC-32
// checked, byte-swapped for big-endian files), on the JS thread or as async work on libuv's pool
// (a Promise), so that loading a large checkpoint neither copies it through JS nor blocks the loop.
#include "env.h"
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace sp {
namespace {

// CRC-32 (ZIP's, polynomial 0xEDB88320), slicing by 8.
struct CrcTables {
  uint32_t t[8][256];
  CrcTables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
};

// The running (inverted) CRC-32 state over n more bytes: start from 0xFFFFFFFF, end with ~state.
uint32_t crcUpdate(uint32_t c, const uint8_t* p, size_t n) {
  static const CrcTables T;  // thread-safe initialization
  while (n >= 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = T.t[7][lo & 0xFF] ^ T.t[6][(lo >> 8) & 0xFF] ^ T.t[5][(lo >> 16) & 0xFF] ^ T.t[4][lo >> 24] ^
        T.t[3][hi & 0xFF] ^ T.t[2][(hi >> 8) & 0xFF] ^ T.t[1][(hi >> 16) & 0xFF] ^ T.t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = T.t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return c;
}

// The CRC of bytes as they arrive: a second thread follows the reader chunk by chunk (the two
// overlap, so a large record costs about its read, not read + CRC).
class CrcFollower {
 public:
  explicit CrcFollower(const uint8_t* data) : data_(data), thread_([this] { run(); }) {}
  ~CrcFollower() { finish(); }
  void arrived(int64_t upTo) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ready_ = upTo;
    }
    cv_.notify_one();
  }
  // Waits for the CRC of everything that arrived.
  uint32_t finish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    return state_;
  }

 private:
  void run() {
    int64_t pos = 0;
    for (;;) {
      int64_t upTo;
      bool done;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return ready_ > pos || done_; });
        upTo = ready_;
        done = done_;
      }
      if (upTo > pos) {
        state_ = crcUpdate(state_, data_ + pos, static_cast<size_t>(upTo - pos));
        pos = upTo;
      }
      if (done && pos >= upTo) {
        std::lock_guard<std::mutex> lock(mu_);
        if (ready_ <= pos) return;
      }
    }
  }
  const uint8_t* data_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t ready_ = 0;
  bool done_ = false;
  uint32_t state_ = 0xFFFFFFFFu;
  std::thread thread_;
};

struct StorageRead {
  int fd;
  int64_t offset, nbytes, numel;
  at::ScalarType dtype;
  int64_t crc;         // expected CRC-32 of the record, or -1 for none
  int64_t recordSize;  // bytes in the record (>= nbytes), over which the CRC is computed
  bool swap;
};

// Reads on any thread: only the new tensor and the file are touched. Errors are JsError (a
// CheckpointError on the JS side: kind Range with the "checkpoint:" prefix the caller maps).
at::Tensor readStorage(const StorageRead& r) {
  at::Tensor t = at::empty({r.numel}, at::TensorOptions().dtype(r.dtype));
  uint8_t* dst = static_cast<uint8_t*>(t.data_ptr());
  // the record may be longer than the storage (PyTorch never writes that, but the format allows it)
  std::vector<uint8_t> tail(static_cast<size_t>(r.recordSize - r.nbytes));
  constexpr int64_t kChunk = 8 << 20;
  // small records: one read, then the CRC; large ones: the CRC follows the read on a second thread
  std::unique_ptr<CrcFollower> follower;
  if (r.crc >= 0 && r.nbytes >= 4 * kChunk) follower = std::make_unique<CrcFollower>(dst);
  int64_t done = 0;
  while (done < r.recordSize) {
    const bool inTensor = done < r.nbytes;
    uint8_t* to = inTensor ? dst + done : tail.data() + (done - r.nbytes);
    const int64_t want = std::min(inTensor ? r.nbytes - done : r.recordSize - done, kChunk);
    ssize_t got = ::pread(r.fd, to, static_cast<size_t>(want), static_cast<off_t>(r.offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      rangeError(std::string("checkpoint: reading a storage failed: ") + std::strerror(errno));
    }
    if (got == 0) rangeError("checkpoint: unexpected end of file reading a storage (the file is truncated)");
    done += got;
    if (follower) follower->arrived(std::min(done, r.nbytes));
  }
  if (r.crc >= 0) {
    uint32_t c = follower ? follower->finish() : crcUpdate(0xFFFFFFFFu, dst, static_cast<size_t>(r.nbytes));
    c = crcUpdate(c, tail.data(), tail.size()) ^ 0xFFFFFFFFu;
    if (c != static_cast<uint32_t>(r.crc)) {
      char buf[128];
      std::snprintf(buf, sizeof buf,
                    "checkpoint: CRC-32 mismatch in a storage record (stored %08x, computed %08x): the data is corrupt",
                    static_cast<uint32_t>(r.crc), c);
      rangeError(buf);
    }
  }
  if (r.swap) {
    const size_t es = c10::elementSize(r.dtype);
    for (int64_t i = 0; i < r.nbytes; i += es) std::reverse(dst + i, dst + i + es);
  }
  return t;
}

StorageRead parseRead(const Napi::CallbackInfo& info) {
  StorageRead r;
  r.fd = static_cast<int>(toInt(info[0], "fd"));
  r.offset = toInt(info[1], "offset");
  r.numel = toInt(info[2], "numel");
  r.dtype = toDtype(info[3], "dtype");
  r.recordSize = toInt(info[4], "recordSize");
  r.crc = info[5].IsNull() || info[5].IsUndefined() ? -1 : toInt(info[5], "crc");
  r.swap = toBool(info[6], "swap");
  r.nbytes = r.numel * static_cast<int64_t>(c10::elementSize(r.dtype));
  if (r.fd < 0 || r.offset < 0 || r.numel < 0 || r.recordSize < r.nbytes)
    rangeError("readStorage: bad record geometry");
  return r;
}

// readStorage(fd, offset, numel, dtype, recordSize, crc | null, swap) -> a 1-d CPU tensor.
Napi::Value jsReadStorage(const Napi::CallbackInfo& info) { return putValue(info.Env(), readStorage(parseRead(info))); }

// readStorageAsync(...the same) -> Promise of the tensor handle; the read runs on libuv's pool.
struct ReadWork {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  StorageRead req;
  at::Tensor result;
  std::string error;
  int errorKind = code::ErrKind_Torch;
};

void readExecute(napi_env, void* data) {
  auto* w = static_cast<ReadWork*>(data);
  try {
    w->result = readStorage(w->req);
  } catch (const JsError& e) {
    w->error = e.msg;
    w->errorKind = e.kind;
  } catch (const std::bad_alloc&) {
    w->error = "out of memory reading a storage";
    w->errorKind = code::ErrKind_OutOfMemory;
  } catch (const c10::Error& e) {
    w->error = e.what_without_backtrace();
  } catch (const std::exception& e) {
    w->error = e.what();
  }
}

void readComplete(napi_env env, napi_status status, void* data) {
  std::unique_ptr<ReadWork> w(static_cast<ReadWork*>(data));
  napi_delete_async_work(env, w->work);
  if (status == napi_cancelled) return;  // the environment is going away
  try {
    enter(env);
    if (w->error.empty()) {
      napi_value h;
      napi_create_double(env, put(std::move(w->result)), &h);
      napi_resolve_deferred(env, w->deferred, h);
      return;
    }
    throw JsError(w->errorKind, w->error);
  } catch (...) {
    // build the JS error as a synchronous call would, then reject with it
    rethrowAsJs(env);
    napi_value err = nullptr;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) napi_get_and_clear_last_exception(env, &err);
    if (!err) napi_create_string_utf8(env, w->error.c_str(), NAPI_AUTO_LENGTH, &err);
    napi_reject_deferred(env, w->deferred, err);
  }
}

Napi::Value jsReadStorageAsync(const Napi::CallbackInfo& info) {
  auto w = std::make_unique<ReadWork>();
  w->req = parseRead(info);
  napi_env env = info.Env();
  napi_value promise, name;
  if (napi_create_promise(env, &w->deferred, &promise) != napi_ok) torchError("readStorageAsync: no promise");
  napi_create_string_utf8(env, "sigprop.readStorage", NAPI_AUTO_LENGTH, &name);
  if (napi_create_async_work(env, nullptr, name, readExecute, readComplete, w.get(), &w->work) != napi_ok)
    torchError("readStorageAsync: could not create the async work");
  if (napi_queue_async_work(env, w->work) != napi_ok) {
    napi_delete_async_work(env, w->work);
    torchError("readStorageAsync: could not queue the async work");
  }
  w.release();
  return Napi::Value(env, promise);
}

}  // namespace

void initIo(Napi::Env env, Napi::Object exports) {
  SP_DEF("readStorage", jsReadStorage);
  SP_DEF("readStorageAsync", jsReadStorageAsync);
}

}  // namespace sp
