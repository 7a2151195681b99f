// SPDX-License-Identifier: GPL-2.0-or-later
// JSON (RFC 8259) as QMP speaks it: a value, its parser and its writer, and
// "contains", the comparison of a QMP host step's `=> EXPECTED` (QEMU does
// not keep the members of an object in any particular order).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lab::json {

struct Value;
struct Member;
using Array = std::vector<Value>;
// Members in the order they were written (a writer's order, for logs).
// Not a std::pair: clang with libstdc++ 12 cannot instantiate
// pair<string, Value> inside Value's own variant.
using Object = std::vector<Member>;

// A number: integral ones (no fraction, no exponent) exactly, the others as
// a double.
struct Number {
    std::variant<std::int64_t, std::uint64_t, double> v;
    bool operator==(const Number& o) const;
};

struct Value {
    std::variant<std::nullptr_t, bool, Number, std::string, Array, Object> v;

    bool is_object() const;
    // The member `key` of an object; nullptr when absent or not an object.
    const Value* find(std::string_view key) const;
    // The string, when it is one.
    const std::string* string() const;
    bool operator==(const Value& o) const;
};

// An object's member: its name and its value.
struct Member {
    std::string key;
    Value value;
    bool operator==(const Member& o) const = default;
};

inline bool Value::is_object() const { return std::holds_alternative<Object>(v); }
inline const std::string* Value::string() const { return std::get_if<std::string>(&v); }

// Parses exactly one value (white space around it allowed). Throws
// std::invalid_argument("JSON: why, at offset N").
Value parse(std::string_view text);

// Compact JSON, with the members in their order.
std::string dump(const Value& value);

// Whether `actual` has what `expected` states: objects need every member of
// `expected` (with a value `actual` contains), arrays need the elements of
// `expected`, in that order, among the elements of `actual` (others may sit
// between them), everything else must be equal (1 and 1.0 are equal).
bool contains(const Value& actual, const Value& expected);

}  // namespace lab::json
