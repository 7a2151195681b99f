// SPDX-License-Identifier: GPL-2.0-or-later
// Result<T>: a value or the reason there is none (C++20 has no std::expected).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pccd {

struct Failure {
    std::string reason;
};

inline Failure fail(std::string reason) {
    return Failure{std::move(reason)};
}

template <class T>
class Result {
  public:
    Result(T value) : state_(std::move(value)) {}            // NOLINT: implicit by design
    Result(Failure failure) : state_(std::move(failure)) {}  // NOLINT

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const std::string& error() const { return std::get<Failure>(state_).reason; }

  private:
    std::variant<T, Failure> state_;
};

}  // namespace pccd
