// SPDX-License-Identifier: GPL-2.0-or-later
#include "json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace lab::json {

namespace {

// Deeper nesting than QMP ever sends is refused rather than recursed into.
constexpr int kMaxDepth = 64;

class Parser {
  public:
    explicit Parser(std::string_view text) : s_(text) {}

    Value document() {
        Value v = value(0);
        skip_blanks();
        if (i_ != s_.size()) {
            fail("text after the value");
        }
        return v;
    }

  private:
    [[noreturn]] void fail(const std::string& why) const {
        throw std::invalid_argument("JSON: " + why + ", at offset " + std::to_string(i_));
    }

    void skip_blanks() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
            ++i_;
        }
    }

    bool take(std::string_view word) {
        if (s_.substr(i_, word.size()) == word) {
            i_ += word.size();
            return true;
        }
        return false;
    }

    Value value(int depth) {
        if (depth > kMaxDepth) {
            fail("nested too deeply");
        }
        skip_blanks();
        if (i_ == s_.size()) {
            fail("a value is missing");
        }
        const char c = s_[i_];
        if (c == '{') {
            return {object(depth)};
        }
        if (c == '[') {
            return {array(depth)};
        }
        if (c == '"') {
            return {string()};
        }
        if (take("true")) {
            return {true};
        }
        if (take("false")) {
            return {false};
        }
        if (take("null")) {
            return {nullptr};
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return {number()};
        }
        fail(std::string("unexpected '") + c + "'");
    }

    Object object(int depth) {
        Object o;
        ++i_;  // {
        skip_blanks();
        if (take("}")) {
            return o;
        }
        for (;;) {
            skip_blanks();
            if (i_ == s_.size() || s_[i_] != '"') {
                fail("a member name (a string) is missing");
            }
            std::string key = string();
            skip_blanks();
            if (!take(":")) {
                fail("':' is missing after a member name");
            }
            Value v = value(depth + 1);
            o.push_back(Member{std::move(key), std::move(v)});
            skip_blanks();
            if (take("}")) {
                return o;
            }
            if (!take(",")) {
                fail("',' or '}' is missing in an object");
            }
        }
    }

    Array array(int depth) {
        Array a;
        ++i_;  // [
        skip_blanks();
        if (take("]")) {
            return a;
        }
        for (;;) {
            a.push_back(value(depth + 1));
            skip_blanks();
            if (take("]")) {
                return a;
            }
            if (!take(",")) {
                fail("',' or ']' is missing in an array");
            }
        }
    }

    unsigned hex4() {
        if (s_.size() - i_ < 4) {
            fail("a \\u escape needs 4 hex digits");
        }
        unsigned v = 0;
        const auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + i_ + 4, v, 16);
        if (ec != std::errc() || p != s_.data() + i_ + 4) {
            fail("a \\u escape needs 4 hex digits");
        }
        i_ += 4;
        return v;
    }

    static void put_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    std::string string() {
        std::string out;
        ++i_;  // "
        for (;;) {
            if (i_ == s_.size()) {
                fail("a string is not closed");
            }
            const char c = s_[i_++];
            if (c == '"') {
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                fail("a control character in a string");
            }
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ == s_.size()) {
                fail("a string is not closed");
            }
            const char e = s_[i_++];
            switch (e) {
                case '"':
                    out += '"';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '/':
                    out += '/';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xd800 && cp < 0xdc00) {
                        if (!take("\\u")) {
                            fail("a high surrogate without its low one");
                        }
                        const unsigned lo = hex4();
                        if (lo < 0xdc00 || lo >= 0xe000) {
                            fail("a high surrogate without its low one");
                        }
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    } else if (cp >= 0xdc00 && cp < 0xe000) {
                        fail("a low surrogate without its high one");
                    }
                    put_utf8(out, cp);
                    break;
                }
                default:
                    fail(std::string("unknown escape \\") + e);
            }
        }
    }

    Number number() {
        const std::size_t start = i_;
        bool integral = true;
        take("-");
        if (take("0")) {
            // no leading zeros
        } else if (i_ < s_.size() && s_[i_] >= '1' && s_[i_] <= '9') {
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
                ++i_;
            }
        } else {
            fail("a number needs a digit");
        }
        auto digits = [&] {
            const std::size_t d = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
                ++i_;
            }
            if (i_ == d) {
                fail("a number needs a digit");
            }
        };
        if (take(".")) {
            integral = false;
            digits();
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            integral = false;
            if (!take("+")) {
                take("-");
            }
            digits();
        }
        const char* b = s_.data() + start;
        const char* e = s_.data() + i_;
        if (integral) {
            if (*b == '-') {
                std::int64_t v = 0;
                if (std::from_chars(b, e, v).ec == std::errc()) {
                    return {v};
                }
            } else {
                std::uint64_t v = 0;
                if (std::from_chars(b, e, v).ec == std::errc()) {
                    return {v};
                }
            }
        }
        double d = 0;
        if (std::from_chars(b, e, d).ec != std::errc()) {
            fail("a number out of range");
        }
        return {d};
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

void dump_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

void dump_to(std::string& out, const Value& v);

struct Dumper {
    std::string& out;
    void operator()(std::nullptr_t) const { out += "null"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(const Number& n) const {
        std::visit(
            [&](auto x) {
                char buf[32];
                const auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), x);
                out.append(buf, p);
            },
            n.v);
    }
    void operator()(const std::string& s) const { dump_string(out, s); }
    void operator()(const Array& a) const {
        out += '[';
        for (std::size_t k = 0; k < a.size(); ++k) {
            out += k ? ", " : "";
            dump_to(out, a[k]);
        }
        out += ']';
    }
    void operator()(const Object& o) const {
        out += '{';
        for (std::size_t k = 0; k < o.size(); ++k) {
            out += k ? ", " : "";
            dump_string(out, o[k].key);
            out += ": ";
            dump_to(out, o[k].value);
        }
        out += '}';
    }
};

void dump_to(std::string& out, const Value& v) {
    std::visit(Dumper{out}, v.v);
}

long double as_long_double(const Number& n) {
    return std::visit([](auto x) { return static_cast<long double>(x); }, n.v);
}

}  // namespace

bool Value::operator==(const Value& o) const {
    return v == o.v;
}

bool Number::operator==(const Number& o) const {
    const auto* ai = std::get_if<std::int64_t>(&v);
    const auto* au = std::get_if<std::uint64_t>(&v);
    const auto* bi = std::get_if<std::int64_t>(&o.v);
    const auto* bu = std::get_if<std::uint64_t>(&o.v);
    if ((ai || au) && (bi || bu)) {  // exactly, both integral
        if (ai && bi) {
            return *ai == *bi;
        }
        if (au && bu) {
            return *au == *bu;
        }
        const std::int64_t s = ai ? *ai : *bi;
        const std::uint64_t u = au ? *au : *bu;
        return s >= 0 && static_cast<std::uint64_t>(s) == u;
    }
    return as_long_double(*this) == as_long_double(o);
}

const Value* Value::find(std::string_view key) const {
    const auto* o = std::get_if<Object>(&v);
    if (!o) {
        return nullptr;
    }
    const auto it =
        std::find_if(o->begin(), o->end(), [&](const auto& m) { return m.key == key; });
    return it == o->end() ? nullptr : &it->value;
}

Value parse(std::string_view text) {
    return Parser(text).document();
}

std::string dump(const Value& value) {
    std::string out;
    dump_to(out, value);
    return out;
}

bool contains(const Value& actual, const Value& expected) {
    if (const auto* eo = std::get_if<Object>(&expected.v)) {
        return actual.is_object() && std::all_of(eo->begin(), eo->end(), [&](const auto& m) {
                   const Value* a = actual.find(m.key);
                   return a && contains(*a, m.value);
               });
    }
    if (const auto* ea = std::get_if<Array>(&expected.v)) {
        const auto* aa = std::get_if<Array>(&actual.v);
        if (!aa) {
            return false;
        }
        auto at = aa->begin();
        for (const auto& e : *ea) {
            at = std::find_if(at, aa->end(), [&](const Value& a) { return contains(a, e); });
            if (at == aa->end()) {
                return false;
            }
            ++at;
        }
        return true;
    }
    return actual == expected;
}

}  // namespace lab::json
