// The MQL runtime shared by both platforms: MQL's string and array types, critical errors, and the base class whose
// members the translated programs call (the pure built-ins and the helpers that reach the terminal through host.h).
// The exact per-platform signatures of the built-ins are in mql5.hpp and mql4.hpp.
#ifndef MQL_RUNTIME_HPP
#define MQL_RUNTIME_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "host.h"

// The calling convention of `#import`ed DLL functions: MetaTrader's extern "system" (stdcall on 32-bit x86, the
// platform's C convention on x86-64).
#if defined(__i386__)
#define MQL_IMPORT_CC __attribute__((stdcall))
#else
#define MQL_IMPORT_CC
#endif

namespace mql {

// A runtime error that MetaTrader treats as critical: the program is stopped (array out of range, an unresolved
// import, a terminal function the host does not provide).
struct CriticalError {
    std::string message;
};

[[noreturn]] void critical(const std::string &message);

// The right operand of `/` and `%` in translated code: an integer zero is MetaTrader's critical "zero divide".
template <class T>
T divisor(T value) {
    if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) {
        if (value == T{}) critical("zero divide");
    }
    return value;
}

// MQL's string: UTF-16 code units, a value type.
class String {
  public:
    String() = default;
    String(std::u16string text) : text_(std::move(text)) {}
    String(const char16_t *text, std::size_t len) : text_(text, len) {}

    const std::u16string &str() const { return text_; }
    std::u16string &str() { return text_; }
    int len() const { return static_cast<int>(text_.size()); }
    const char16_t *data() const { return text_.data(); }
    std::string utf8() const;
    static String from_utf8(const std::string &text);

    String &operator+=(const String &other) {
        text_ += other.text_;
        return *this;
    }

  private:
    std::u16string text_;
};

inline String operator""_mq(const char16_t *text, std::size_t len) { return String(text, len); }

// MQL's conversions of a number or bool to string, as `+` with a string and Print do them.
String to_string(bool value);
String to_string(double value);
String to_string(std::int64_t value);
String to_string(std::uint64_t value);
inline String to_string(const String &value) { return value; }

template <class T>
String to_string(T value) {
    if constexpr (std::is_enum_v<T>) {
        return to_string(static_cast<std::int64_t>(value));
    } else if constexpr (std::is_floating_point_v<T>) {
        return to_string(static_cast<double>(value));
    } else if constexpr (std::is_signed_v<T>) {
        return to_string(static_cast<std::int64_t>(value));
    } else {
        return to_string(static_cast<std::uint64_t>(value));
    }
}

inline String operator+(const String &a, const String &b) { return String(a.str() + b.str()); }
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>>
String operator+(const String &a, T b) {
    return a + to_string(b);
}
template <class T, class = std::enable_if_t<std::is_arithmetic_v<T> || std::is_enum_v<T>>>
String operator+(T a, const String &b) {
    return to_string(a) + b;
}
inline bool operator==(const String &a, const String &b) { return a.str() == b.str(); }
inline bool operator!=(const String &a, const String &b) { return a.str() != b.str(); }
inline bool operator<(const String &a, const String &b) { return a.str() < b.str(); }
inline bool operator>(const String &a, const String &b) { return a.str() > b.str(); }
inline bool operator<=(const String &a, const String &b) { return a.str() <= b.str(); }
inline bool operator>=(const String &a, const String &b) { return a.str() >= b.str(); }

// MQL's array `T a[]` (dynamic) and `T a[N]` (fixed, as FixedArray); always passed by reference. Indexing out of
// range is a critical error, as in MetaTrader.
template <class T>
class Array {
  public:
    Array() = default;

    T &operator[](std::int64_t index) {
        check(index);
        return items_[static_cast<std::size_t>(index)];
    }
    const T &operator[](std::int64_t index) const {
        check(index);
        return items_[static_cast<std::size_t>(index)];
    }
    int size() const { return static_cast<int>(items_.size()); }
    bool fixed() const { return fixed_; }
    // The first element's address, as MetaTrader passes an array to a DLL.
    T *data() { return items_.data(); }
    const T *data() const { return items_.data(); }
    // Returns the new size, or -1 for a fixed array or a negative size.
    int resize(int new_size, int reserve) {
        if (fixed_ || new_size < 0) return -1;
        if (reserve > 0) items_.reserve(static_cast<std::size_t>(new_size) + static_cast<std::size_t>(reserve));
        items_.resize(static_cast<std::size_t>(new_size));
        return new_size;
    }
    void clear() {
        if (!fixed_) items_.clear();
    }
    std::vector<T> &items() { return items_; }
    const std::vector<T> &items() const { return items_; }

  protected:
    Array(std::size_t size, std::initializer_list<T> init) : items_(init), fixed_(true) { items_.resize(size); }

  private:
    void check(std::int64_t index) const {
        if (index < 0 || static_cast<std::size_t>(index) >= items_.size()) {
            critical("array out of range (index " + std::to_string(index) + ", size " +
                     std::to_string(items_.size()) + ")");
        }
    }

    std::vector<T> items_;
    bool fixed_ = false;
};

template <class T, int N>
class FixedArray : public Array<T> {
  public:
    FixedArray() : Array<T>(N, {}) {}
    FixedArray(std::initializer_list<T> init) : Array<T>(N, init) {}
};

// Parses an input's value (from `<prog>_set_input`) as the input's MQL type; false when it does not parse.
bool parse_input(String &target, const char *value);
bool parse_input(bool &target, const char *value);
bool parse_input(double &target, const char *value);
inline bool parse_input(float &target, const char *value) {
    double parsed = 0;
    if (!parse_input(parsed, value)) return false;
    target = static_cast<float>(parsed);
    return true;
}
bool parse_input(std::int64_t &target, const char *value);
bool parse_input(std::uint64_t &target, const char *value);
template <class T>
bool parse_input(T &target, const char *value) {
    std::int64_t parsed = 0;
    if (!parse_input(parsed, value)) return false;
    target = static_cast<T>(parsed);
    return true;
}

// One argument of Print/PrintFormat/StringFormat, converted once.
struct FormatArg {
    enum Kind { Signed, Unsigned, Double, Text, Boolean } kind = Signed;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    String s;
};
FormatArg format_arg(const String &value);
FormatArg format_arg(bool value);
FormatArg format_arg(double value);
FormatArg format_arg(std::int64_t value);
FormatArg format_arg(std::uint64_t value);
template <class T>
FormatArg format_arg(T value) {
    if constexpr (std::is_enum_v<T>) {
        return format_arg(static_cast<std::int64_t>(value));
    } else if constexpr (std::is_floating_point_v<T>) {
        return format_arg(static_cast<double>(value));
    } else if constexpr (std::is_signed_v<T>) {
        return format_arg(static_cast<std::int64_t>(value));
    } else {
        return format_arg(static_cast<std::uint64_t>(value));
    }
}
// MQL's StringFormat: printf specifiers with the size prefixes h, l, ll, I32, I64; %s of a string.
String format(const String &pattern, const std::vector<FormatArg> &args);
// Print's conversion of one argument (doubles with up to 16 significant digits, bools as true/false).
String print_text(const FormatArg &arg);

// MQL's datetime arithmetic: seconds since 1970 <-> year, mon, day, hour, min, sec, day_of_week, day_of_year.
void split_time(std::int64_t value, int parts[8]);
std::int64_t join_time(int year, int mon, int day, int hour, int min, int sec);

// Reads a host string result (see host.h): calls `read(buf, cap)` and retries with the size it asks for.
template <class Read>
bool host_string(Read read, String &out) {
    char16_t small[256];
    std::int32_t needed = read(small, 256);
    if (needed < 0) {
        out = String();
        return false;
    }
    if (needed <= 256) {
        out = String(small, static_cast<std::size_t>(needed));
        return true;
    }
    std::u16string big(static_cast<std::size_t>(needed), u'\0');
    std::int32_t again = read(big.data(), needed);
    if (again < 0) {
        out = String();
        return false;
    }
    big.resize(static_cast<std::size_t>(again < needed ? again : needed));
    out = String(std::move(big));
    return true;
}

// Reads a host array result (see host.h) into `out`, retrying with the capacity it asks for; returns the count or -1.
template <class T, class Read>
int host_array(Read read, std::vector<T> &out) {
    out.resize(64);
    std::int32_t available = read(out.data(), static_cast<std::int32_t>(out.size()));
    if (available > static_cast<std::int32_t>(out.size())) {
        out.resize(static_cast<std::size_t>(available));
        available = read(out.data(), available);
    }
    if (available < 0) {
        out.clear();
        return -1;
    }
    if (available > static_cast<std::int32_t>(out.size())) available = static_cast<std::int32_t>(out.size());
    out.resize(static_cast<std::size_t>(available));
    return available;
}

// The host entry `entry` of `host`, or a critical error naming the built-in when the host left it NULL.
#define MQL_HOST(entry, builtin)                                                      \
    ((mql_host_->entry != nullptr) ? mql_host_->entry                                 \
                                   : (::mql::critical("the terminal does not provide " \
                                                      builtin " (host entry " #entry ")"), \
                                      mql_host_->entry))

// The base of both platforms' Terminal classes: the host, the program's state, and the helpers behind the built-ins.
class Runtime {
  public:
    explicit Runtime(const MqlHost *host);
    virtual ~Runtime() = default;
    Runtime(const Runtime &) = delete;
    Runtime &operator=(const Runtime &) = delete;

    const MqlHost *mql_host() const { return mql_host_; }
    bool mql_stopped() const { return stopped_; }
    void mql_stop() { stopped_ = true; }

  protected:
    // `#import`: the resolved address, or a critical error (MetaTrader's "cannot call" of an unresolved import).
    void *mql_resolve(const char *library, const char *symbol);
    static void *mql_import(void *address, const char *library, const char *symbol);

    // Host-backed helpers shared by both platforms' built-ins.
    std::int64_t rt_integer(std::int32_t (*read)(void *, std::int32_t, std::int64_t *), const char *builtin,
                            std::int32_t prop);
    String rt_chart_symbol();
    std::int32_t rt_last_error();
    void rt_set_last_error(std::int32_t code);
    void rt_print(const String &text);
    std::int64_t rt_symbol_integer(const String &name, std::int32_t prop, bool &ok);
    double rt_symbol_double(const String &name, std::int32_t prop, bool &ok);
    String rt_symbol_string(const String &name, std::int32_t prop, bool &ok);
    bool rt_symbol_tick(const String &name, MqlHostTick &out);
    int rt_copy_rates(const String &symbol, std::int32_t timeframe, std::int32_t mode, std::int64_t a,
                      std::int64_t b, std::vector<MqlHostRates> &out);
    double rt_account_double(std::int32_t prop);
    std::int64_t rt_account_integer(std::int32_t prop);
    String rt_account_string(std::int32_t prop);
    std::int64_t rt_terminal_integer(std::int32_t prop);
    String rt_terminal_string(std::int32_t prop);
    std::int64_t rt_mql_integer(std::int32_t prop);

  public:
    // ---- Built-ins common to both platforms, with the same signature on both ----

    // Strings.
    int StringLen(String string_value) { return string_value.len(); }
    int StringFind(String string_value, String match_substring, int start_pos = 0);
    String StringSubstr(String string_value, int start_pos, int length = -1);
    int StringReplace(String &str, const String find, const String replacement);
    bool StringToUpper(String &string_var);
    // Conversions.
    String IntegerToString(std::int64_t number, int str_len = 0, std::uint16_t fill_symbol = ' ');
    String DoubleToString(double value, int digits = 8);
    std::int64_t StringToInteger(String value);
    double StringToDouble(String value);
    String TimeToString(std::int64_t value, int mode = 1 | 2);
    int StringToCharArray(String text_string, Array<std::uint8_t> &array, int start = 0, int count = -1,
                          std::uint32_t codepage = 0);
    String CharArrayToString(Array<std::uint8_t> &array, int start = 0, int count = -1, std::uint32_t codepage = 0);
    double NormalizeDouble(double value, int digits);
    // Arrays.
    template <class T>
    int ArrayResize(Array<T> &array, int new_size, int reserve_size = 0) {
        return array.resize(new_size, reserve_size);
    }
    template <class T>
    int ArraySize(const Array<T> &array) {
        return array.size();
    }
    template <class T>
    void ArrayFree(Array<T> &array) {
        array.clear();
    }
    // Math: integer arguments keep the larger argument type, as the reference notes.
    template <class A, class B>
    std::common_type_t<A, B> MathMax(A value1, B value2) {
        return value1 > value2 ? static_cast<std::common_type_t<A, B>>(value1)
                               : static_cast<std::common_type_t<A, B>>(value2);
    }
    template <class A, class B>
    std::common_type_t<A, B> MathMin(A value1, B value2) {
        return value1 < value2 ? static_cast<std::common_type_t<A, B>>(value1)
                               : static_cast<std::common_type_t<A, B>>(value2);
    }
    double MathAbs(double value);
    double MathRound(double value);
    double MathFloor(double value);
    double MathCeil(double value);
    double MathPow(double base, double exponent);
    double MathSqrt(double value);
    // Common functions.
    template <class T>
    void ZeroMemory(T &variable) {
        variable = T();
    }
    std::uint32_t GetTickCount();
    void ResetLastError() { rt_set_last_error(0); }
    bool IsStopped();
    template <class... Args>
    void Print(const Args &...args) {
        String line;
        ((line += print_text(format_arg(args))), ...);
        rt_print(line);
    }
    template <class... Args>
    void PrintFormat(String format_string, const Args &...args) {
        rt_print(format(format_string, std::vector<FormatArg>{format_arg(args)...}));
    }
    template <class... Args>
    String StringFormat(String format_string, const Args &...args) {
        return format(format_string, std::vector<FormatArg>{format_arg(args)...});
    }
    bool EventSetMillisecondTimer(int milliseconds);
    void EventKillTimer();
    // MQL5, and MQL4 from build 600: the same signature on both references' EventChartCustom pages.
    bool EventChartCustom(std::int64_t chart_id, std::uint16_t custom_event_id, std::int64_t lparam, double dparam,
                          String sparam);
    // Time.
    std::int64_t TimeCurrent();
    std::int64_t TimeGMT();
    std::int64_t TimeLocal();
    // Symbols.
    int SymbolsTotal(bool selected);
    String SymbolName(int pos, bool selected);
    bool SymbolSelect(String name, bool select);
    // Program state.
    bool mql_StopFlag() { return IsStopped(); }
    int mql_LastError() { return rt_last_error(); }

  protected:
    const MqlHost *mql_host_;
    bool stopped_ = false;
};

void report_create_failure(const MqlHost *host, const CriticalError &error);

// Creates a program for the host, or returns null when the host table does not match this runtime.
template <class Program>
void *create(const MqlHost *host) {
    if (host == nullptr || host->size != sizeof(MqlHost) || host->version != MQL_HOST_VERSION) return nullptr;
    try {
        return new Program(host);
    } catch (const CriticalError &error) {
        report_create_failure(host, error);
        return nullptr;
    }
}

// Runs one event handler: a critical error prints, stops the program, and makes every later event a no-op.
void report_critical(Runtime &program, const CriticalError &error);
template <class Program, class Body>
auto run(void *pointer, Body body, decltype(body(*static_cast<Program *>(pointer))) fallback) {
    auto &program = *static_cast<Program *>(pointer);
    if (program.mql_stopped()) return fallback;
    try {
        return body(program);
    } catch (const CriticalError &error) {
        report_critical(program, error);
        return fallback;
    }
}
template <class Program, class Body>
void run_void(void *pointer, Body body) {
    auto &program = *static_cast<Program *>(pointer);
    if (program.mql_stopped()) return;
    try {
        body(program);
    } catch (const CriticalError &error) {
        report_critical(program, error);
    }
}

}  // namespace mql

#endif  // MQL_RUNTIME_HPP
