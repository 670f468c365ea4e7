// The MQL runtime's platform-independent built-ins: strings, conversions, arrays, math, time arithmetic, and
// the helpers that reach the terminal through host.h (formatting is in format.cpp).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mql_runtime.hpp"

namespace mql {

void critical(const std::string &message) { throw CriticalError{message}; }

// ---- Strings ----

std::string String::utf8() const {
    std::string out;
    out.reserve(text_.size());
    for (std::size_t i = 0; i < text_.size(); i++) {
        std::uint32_t c = text_[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text_.size() && text_[i + 1] >= 0xDC00 && text_[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (text_[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | (c >> 12));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (c >> 18));
            out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

String String::from_utf8(const std::string &text) {
    std::u16string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        unsigned char b = static_cast<unsigned char>(text[i]);
        std::uint32_t c = 0xFFFD;
        std::size_t extra = 0;
        if (b < 0x80) {
            c = b;
        } else if ((b & 0xE0) == 0xC0) {
            c = b & 0x1F;
            extra = 1;
        } else if ((b & 0xF0) == 0xE0) {
            c = b & 0x0F;
            extra = 2;
        } else if ((b & 0xF8) == 0xF0) {
            c = b & 0x07;
            extra = 3;
        }
        i++;
        bool valid = b < 0x80 || extra > 0;
        for (std::size_t k = 0; k < extra; k++, i++) {
            if (i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
                valid = false;
                break;
            }
            c = (c << 6) | (static_cast<unsigned char>(text[i]) & 0x3F);
        }
        if (!valid) c = 0xFFFD;
        if (c >= 0x10000) {
            c -= 0x10000;
            out += static_cast<char16_t>(0xD800 + (c >> 10));
            out += static_cast<char16_t>(0xDC00 + (c & 0x3FF));
        } else {
            out += static_cast<char16_t>(c);
        }
    }
    return String(std::move(out));
}

static String ascii(const std::string &text) {
    std::u16string out(text.begin(), text.end());
    return String(std::move(out));
}

String to_string(bool value) { return value ? u"true"_mq : u"false"_mq; }

// MQL converts a double to string with up to 16 significant digits and no trailing zeros.
String to_string(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.16g", value);
    return ascii(buf);
}

String to_string(std::int64_t value) { return ascii(std::to_string(value)); }
String to_string(std::uint64_t value) { return ascii(std::to_string(value)); }

// ---- Inputs ----

bool parse_input(String &target, const char *value) {
    target = String::from_utf8(value);
    return true;
}

bool parse_input(bool &target, const char *value) {
    std::string text(value);
    if (text == "true" || text == "1") {
        target = true;
        return true;
    }
    if (text == "false" || text == "0") {
        target = false;
        return true;
    }
    return false;
}

bool parse_input(double &target, const char *value) {
    char *end = nullptr;
    double parsed = std::strtod(value, &end);
    if (end == value || *end != '\0') return false;
    target = parsed;
    return true;
}

bool parse_input(std::int64_t &target, const char *value) {
    char *end = nullptr;
    long long parsed = std::strtoll(value, &end, 10);
    if (end == value || *end != '\0') return false;
    target = parsed;
    return true;
}

bool parse_input(std::uint64_t &target, const char *value) {
    char *end = nullptr;
    if (value[0] == '-') return false;
    unsigned long long parsed = std::strtoull(value, &end, 10);
    if (end == value || *end != '\0') return false;
    target = parsed;
    return true;
}

// ---- Critical errors ----

void report_critical(Runtime &program, const CriticalError &error) {
    program.mql_stop();
    const MqlHost *host = program.mql_host();
    if (host != nullptr && host->print != nullptr) {
        String line = String::from_utf8("critical error: " + error.message + "; the program is stopped");
        host->print(host->ctx, line.data(), line.len());
    }
}

void report_create_failure(const MqlHost *host, const CriticalError &error) {
    if (host->print == nullptr) return;
    String line = String::from_utf8("critical error: " + error.message + "; the program is not created");
    host->print(host->ctx, line.data(), line.len());
}

// ---- Runtime ----

Runtime::Runtime(const MqlHost *host) : mql_host_(host) {}

void *Runtime::mql_resolve(const char *library, const char *symbol) {
    if (mql_host_->resolve_import == nullptr) return nullptr;
    return mql_host_->resolve_import(mql_host_->ctx, library, symbol);
}

void *Runtime::mql_import(void *address, const char *library, const char *symbol) {
    if (address == nullptr) {
        critical(std::string("cannot call '") + library + "::" + symbol + "': the function is not resolved");
    }
    return address;
}

std::int64_t Runtime::rt_integer(std::int32_t (*read)(void *, std::int32_t, std::int64_t *), const char *builtin,
                                 std::int32_t prop) {
    if (read == nullptr) critical(std::string("the terminal does not provide ") + builtin);
    std::int64_t out = 0;
    if (read(mql_host_->ctx, prop, &out) == 0) return 0;
    return out;
}

String Runtime::rt_chart_symbol() {
    auto entry = MQL_HOST(chart_symbol, "_Symbol");
    String out;
    host_string([&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, buf, cap); }, out);
    return out;
}

std::int32_t Runtime::rt_last_error() { return MQL_HOST(get_last_error, "GetLastError")(mql_host_->ctx); }

void Runtime::rt_set_last_error(std::int32_t code) { MQL_HOST(set_last_error, "SetLastError")(mql_host_->ctx, code); }

void Runtime::rt_print(const String &text) { MQL_HOST(print, "Print")(mql_host_->ctx, text.data(), text.len()); }

std::int64_t Runtime::rt_symbol_integer(const String &name, std::int32_t prop, bool &ok) {
    std::int64_t out = 0;
    ok = MQL_HOST(symbol_info_integer, "SymbolInfoInteger")(mql_host_->ctx, name.data(), name.len(), prop, &out) != 0;
    return ok ? out : 0;
}

double Runtime::rt_symbol_double(const String &name, std::int32_t prop, bool &ok) {
    double out = 0;
    ok = MQL_HOST(symbol_info_double, "SymbolInfoDouble")(mql_host_->ctx, name.data(), name.len(), prop, &out) != 0;
    return ok ? out : 0;
}

String Runtime::rt_symbol_string(const String &name, std::int32_t prop, bool &ok) {
    auto entry = MQL_HOST(symbol_info_string, "SymbolInfoString");
    String out;
    ok = host_string(
        [&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, name.data(), name.len(), prop, buf, cap); },
        out);
    return out;
}

bool Runtime::rt_symbol_tick(const String &name, MqlHostTick &out) {
    out = MqlHostTick{};
    return MQL_HOST(symbol_info_tick, "SymbolInfoTick")(mql_host_->ctx, name.data(), name.len(), &out) != 0;
}

int Runtime::rt_copy_rates(const String &symbol, std::int32_t timeframe, std::int32_t mode, std::int64_t a,
                           std::int64_t b, std::vector<MqlHostRates> &out) {
    auto entry = MQL_HOST(copy_rates, "CopyRates");
    return host_array(
        [&](MqlHostRates *buf, std::int32_t cap) {
            return entry(mql_host_->ctx, symbol.data(), symbol.len(), timeframe, mode, a, b, buf, cap);
        },
        out);
}

double Runtime::rt_account_double(std::int32_t prop) {
    double out = 0;
    if (MQL_HOST(account_info_double, "AccountInfoDouble")(mql_host_->ctx, prop, &out) == 0) return 0;
    return out;
}

std::int64_t Runtime::rt_account_integer(std::int32_t prop) {
    return rt_integer(mql_host_->account_info_integer, "AccountInfoInteger", prop);
}

String Runtime::rt_account_string(std::int32_t prop) {
    auto entry = MQL_HOST(account_info_string, "AccountInfoString");
    String out;
    host_string([&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, prop, buf, cap); }, out);
    return out;
}

std::int64_t Runtime::rt_terminal_integer(std::int32_t prop) {
    return rt_integer(mql_host_->terminal_info_integer, "TerminalInfoInteger", prop);
}

String Runtime::rt_terminal_string(std::int32_t prop) {
    auto entry = MQL_HOST(terminal_info_string, "TerminalInfoString");
    String out;
    host_string([&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, prop, buf, cap); }, out);
    return out;
}

std::int64_t Runtime::rt_mql_integer(std::int32_t prop) {
    return rt_integer(mql_host_->mql_info_integer, "MQLInfoInteger", prop);
}

int Runtime::StringFind(String string_value, String match_substring, int start_pos) {
    if (start_pos < 0 || start_pos > string_value.len()) return -1;
    std::size_t at = string_value.str().find(match_substring.str(), static_cast<std::size_t>(start_pos));
    return at == std::u16string::npos ? -1 : static_cast<int>(at);
}

String Runtime::StringSubstr(String string_value, int start_pos, int length) {
    if (start_pos < 0 || start_pos >= string_value.len()) return String();
    std::size_t count = length < 0 ? std::u16string::npos : static_cast<std::size_t>(length);
    return String(string_value.str().substr(static_cast<std::size_t>(start_pos), count));
}

// Both references convert letters in place; ASCII is what symbol names and group masks use, and the rest is kept.
bool Runtime::StringToUpper(String &string_var) {
    for (char16_t &c : string_var.str())
        if (c >= u'a' && c <= u'z') c = static_cast<char16_t>(c - u'a' + u'A');
    return true;
}

int Runtime::StringReplace(String &str, const String find, const String replacement) {
    if (find.len() == 0) return -1;
    int count = 0;
    std::u16string &text = str.str();
    std::size_t at = 0;
    while ((at = text.find(find.str(), at)) != std::u16string::npos) {
        text.replace(at, find.str().size(), replacement.str());
        at += replacement.str().size();
        count++;
    }
    return count;
}

String Runtime::IntegerToString(std::int64_t number, int str_len, std::uint16_t fill_symbol) {
    std::u16string digits = to_string(number).str();
    if (str_len > 0 && static_cast<int>(digits.size()) < str_len) {
        digits.insert(digits.begin(), static_cast<std::size_t>(str_len) - digits.size(),
                      static_cast<char16_t>(fill_symbol));
    }
    return String(std::move(digits));
}

String Runtime::DoubleToString(double value, int digits) {
    if (digits < 0 || digits > 16) digits = 8;
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    return ascii(buf);
}

std::int64_t Runtime::StringToInteger(String value) {
    return std::strtoll(value.utf8().c_str(), nullptr, 10);
}

double Runtime::StringToDouble(String value) { return std::strtod(value.utf8().c_str(), nullptr); }

// Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm); MQL's datetime has no time zone.
static void civil(std::int64_t days, int &year, int &month, int &day) {
    days += 719468;
    std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    std::int64_t doe = days - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = yoe + era * 400;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153;
    day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year = static_cast<int>(y + (month <= 2 ? 1 : 0));
}

void split_time(std::int64_t value, int parts[8]) {
    std::int64_t days = value >= 0 ? value / 86400 : (value - 86399) / 86400;
    std::int64_t seconds = value - days * 86400;
    civil(days, parts[0], parts[1], parts[2]);
    parts[3] = static_cast<int>(seconds / 3600);
    parts[4] = static_cast<int>(seconds / 60 % 60);
    parts[5] = static_cast<int>(seconds % 60);
    parts[6] = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4).
    parts[7] = static_cast<int>(days - (join_time(parts[0], 1, 1, 0, 0, 0) / 86400));
}

std::int64_t join_time(int year, int mon, int day, int hour, int min, int sec) {
    std::int64_t y = year - (mon <= 2 ? 1 : 0);
    std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    std::int64_t yoe = y - era * 400;
    std::int64_t mp = mon > 2 ? mon - 3 : mon + 9;
    std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
    std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    std::int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + hour * 3600 + min * 60 + sec;
}

String Runtime::TimeToString(std::int64_t value, int mode) {
    std::int64_t days = value >= 0 ? value / 86400 : (value - 86399) / 86400;
    std::int64_t seconds = value - days * 86400;
    int year = 0, month = 0, day = 0;
    civil(days, year, month, day);
    char buf[64];
    std::string out;
    if ((mode & 1) != 0) {
        std::snprintf(buf, sizeof buf, "%04d.%02d.%02d", year, month, day);
        out += buf;
    }
    if ((mode & (2 | 4)) != 0) {
        if (!out.empty()) out += ' ';
        int h = static_cast<int>(seconds / 3600), m = static_cast<int>(seconds / 60 % 60), s = static_cast<int>(seconds % 60);
        if ((mode & 4) != 0) {
            std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", h, m, s);
        } else {
            std::snprintf(buf, sizeof buf, "%02d:%02d", h, m);
        }
        out += buf;
    }
    return ascii(out);
}

// CP_UTF8 converts to UTF-8; every other code page is treated as the ANSI code page 1252's ASCII/Latin-1 range,
// with '?' for what it cannot represent.
static std::string encode(const String &text, std::uint32_t codepage) {
    if (codepage == 65001) return text.utf8();
    std::string out;
    for (char16_t c : text.str()) out += c < 256 ? static_cast<char>(c) : '?';
    return out;
}

int Runtime::StringToCharArray(String text_string, Array<std::uint8_t> &array, int start, int count,
                               std::uint32_t codepage) {
    if (start < 0) return 0;
    std::string bytes = encode(text_string, codepage);
    bytes.push_back('\0');  // MQL copies the terminating zero when the whole string is converted.
    std::size_t n = count < 0 ? bytes.size() : std::min(bytes.size(), static_cast<std::size_t>(count));
    std::size_t needed = static_cast<std::size_t>(start) + n;
    if (static_cast<std::size_t>(array.size()) < needed) {
        if (array.fixed()) {
            n = array.size() > start ? static_cast<std::size_t>(array.size() - start) : 0;
        } else {
            array.resize(static_cast<int>(needed), 0);
        }
    }
    for (std::size_t i = 0; i < n; i++) array[static_cast<std::int64_t>(start) + static_cast<std::int64_t>(i)] = static_cast<std::uint8_t>(bytes[i]);
    return static_cast<int>(n);
}

String Runtime::CharArrayToString(Array<std::uint8_t> &array, int start, int count, std::uint32_t codepage) {
    if (start < 0 || start >= array.size()) return String();
    std::size_t end = count < 0 ? static_cast<std::size_t>(array.size())
                                : std::min(static_cast<std::size_t>(array.size()), static_cast<std::size_t>(start) + static_cast<std::size_t>(count));
    std::string bytes;
    for (std::size_t i = static_cast<std::size_t>(start); i < end; i++) {
        std::uint8_t b = array.items()[i];
        if (b == 0) break;
        bytes += static_cast<char>(b);
    }
    if (codepage == 65001) return String::from_utf8(bytes);
    std::u16string out;
    for (char c : bytes) out += static_cast<char16_t>(static_cast<unsigned char>(c));
    return String(std::move(out));
}

double Runtime::NormalizeDouble(double value, int digits) {
    double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

double Runtime::MathAbs(double value) { return std::fabs(value); }
double Runtime::MathRound(double value) { return std::round(value); }
double Runtime::MathFloor(double value) { return std::floor(value); }
double Runtime::MathCeil(double value) { return std::ceil(value); }
double Runtime::MathPow(double base, double exponent) { return std::pow(base, exponent); }
double Runtime::MathSqrt(double value) { return std::sqrt(value); }

std::uint32_t Runtime::GetTickCount() {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch());
    return static_cast<std::uint32_t>(ms.count());
}

bool Runtime::IsStopped() { return stopped_ || MQL_HOST(is_stopped, "IsStopped")(mql_host_->ctx) != 0; }

bool Runtime::EventSetMillisecondTimer(int milliseconds) {
    return MQL_HOST(event_set_millisecond_timer, "EventSetMillisecondTimer")(mql_host_->ctx, milliseconds) != 0;
}

void Runtime::EventKillTimer() { MQL_HOST(event_kill_timer, "EventKillTimer")(mql_host_->ctx); }

bool Runtime::EventChartCustom(std::int64_t chart_id, std::uint16_t custom_event_id, std::int64_t lparam, double dparam,
                               String sparam) {
    return MQL_HOST(event_chart_custom, "EventChartCustom")(mql_host_->ctx, chart_id, custom_event_id, lparam, dparam,
                                                            sparam.data(), sparam.len()) != 0;
}

std::int64_t Runtime::TimeCurrent() { return MQL_HOST(time_current, "TimeCurrent")(mql_host_->ctx); }
std::int64_t Runtime::TimeGMT() { return MQL_HOST(time_gmt, "TimeGMT")(mql_host_->ctx); }
std::int64_t Runtime::TimeLocal() { return MQL_HOST(time_local, "TimeLocal")(mql_host_->ctx); }

int Runtime::SymbolsTotal(bool selected) { return MQL_HOST(symbols_total, "SymbolsTotal")(mql_host_->ctx, selected ? 1 : 0); }

String Runtime::SymbolName(int pos, bool selected) {
    auto entry = MQL_HOST(symbol_name, "SymbolName");
    String out;
    host_string([&](char16_t *buf, std::int32_t cap) { return entry(mql_host_->ctx, pos, selected ? 1 : 0, buf, cap); },
                out);
    return out;
}

bool Runtime::SymbolSelect(String name, bool select) {
    return MQL_HOST(symbol_select, "SymbolSelect")(mql_host_->ctx, name.data(), name.len(), select ? 1 : 0) != 0;
}

}  // namespace mql
