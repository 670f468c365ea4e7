// The MQL runtime's formatting: StringFormat and PrintFormat's conversions (MQL's size prefixes over the C
// library's printf), and Print's text of each argument.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mql_runtime.hpp"

namespace mql {

FormatArg format_arg(const String &value) {
    FormatArg arg;
    arg.kind = FormatArg::Text;
    arg.s = value;
    return arg;
}
FormatArg format_arg(bool value) {
    FormatArg arg;
    arg.kind = FormatArg::Boolean;
    arg.i = value ? 1 : 0;
    return arg;
}
FormatArg format_arg(double value) {
    FormatArg arg;
    arg.kind = FormatArg::Double;
    arg.d = value;
    return arg;
}
FormatArg format_arg(std::int64_t value) {
    FormatArg arg;
    arg.kind = FormatArg::Signed;
    arg.i = value;
    return arg;
}
FormatArg format_arg(std::uint64_t value) {
    FormatArg arg;
    arg.kind = FormatArg::Unsigned;
    arg.u = value;
    return arg;
}

String print_text(const FormatArg &arg) {
    switch (arg.kind) {
        case FormatArg::Signed: return to_string(arg.i);
        case FormatArg::Unsigned: return to_string(arg.u);
        case FormatArg::Double: return to_string(arg.d);
        case FormatArg::Boolean: return to_string(arg.i != 0);
        case FormatArg::Text: return arg.s;
    }
    return String();
}

static std::int64_t as_signed(const FormatArg &arg) {
    switch (arg.kind) {
        case FormatArg::Signed:
        case FormatArg::Boolean: return arg.i;
        case FormatArg::Unsigned: return static_cast<std::int64_t>(arg.u);
        case FormatArg::Double: return static_cast<std::int64_t>(arg.d);
        case FormatArg::Text: return std::strtoll(arg.s.utf8().c_str(), nullptr, 10);
    }
    return 0;
}

static double as_double(const FormatArg &arg) {
    switch (arg.kind) {
        case FormatArg::Signed:
        case FormatArg::Boolean: return static_cast<double>(arg.i);
        case FormatArg::Unsigned: return static_cast<double>(arg.u);
        case FormatArg::Double: return arg.d;
        case FormatArg::Text: return std::strtod(arg.s.utf8().c_str(), nullptr);
    }
    return 0;
}

// One conversion with the C library, after MQL's size prefix has been read: `wide` is I64/ll. Without it an integer
// conversion sees the value's low 32 bits: the reference calls a long passed to %d undefined, and a 32-bit read of
// the argument is what a C printf-style formatter would do with it.
static std::string convert(const std::string &spec, char type, bool wide, const FormatArg &arg) {
    char buf[512];
    std::string c_spec = spec;
    switch (type) {
        case 'd':
        case 'i': {
            std::int64_t v = as_signed(arg);
            if (!wide) v = static_cast<std::int32_t>(v);
            c_spec += "lld";
            std::snprintf(buf, sizeof buf, c_spec.c_str(), static_cast<long long>(v));
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            std::uint64_t v = arg.kind == FormatArg::Unsigned ? arg.u : static_cast<std::uint64_t>(as_signed(arg));
            if (!wide) v = static_cast<std::uint32_t>(v);
            c_spec += "ll";
            c_spec += type;
            std::snprintf(buf, sizeof buf, c_spec.c_str(), static_cast<unsigned long long>(v));
            break;
        }
        case 'c':
        case 'C': {
            String one(std::u16string(1, static_cast<char16_t>(as_signed(arg))));
            c_spec += 's';
            std::snprintf(buf, sizeof buf, c_spec.c_str(), one.utf8().c_str());
            break;
        }
        case 's':
        case 'S': {
            std::string text = print_text(arg).utf8();
            c_spec += 's';
            int needed = std::snprintf(nullptr, 0, c_spec.c_str(), text.c_str());
            std::string out(static_cast<std::size_t>(needed > 0 ? needed : 0) + 1, '\0');
            std::snprintf(out.data(), out.size(), c_spec.c_str(), text.c_str());
            out.resize(static_cast<std::size_t>(needed > 0 ? needed : 0));
            return out;
        }
        default: {
            c_spec += type;
            std::snprintf(buf, sizeof buf, c_spec.c_str(), as_double(arg));
            break;
        }
    }
    return buf;
}

String format(const String &pattern, const std::vector<FormatArg> &args) {
    std::string text = pattern.utf8();
    std::string out;
    std::size_t next = 0;
    for (std::size_t i = 0; i < text.size(); i++) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '%') {
            out += '%';
            i++;
            continue;
        }
        std::string spec = "%";
        std::size_t k = i + 1;
        while (k < text.size() && std::string("-+ #0").find(text[k]) != std::string::npos) spec += text[k++];
        while (k < text.size() && (std::isdigit(static_cast<unsigned char>(text[k])) || text[k] == '*')) {
            if (text[k] == '*') {
                spec += std::to_string(next < args.size() ? as_signed(args[next++]) : 0);
                k++;
            } else {
                spec += text[k++];
            }
        }
        if (k < text.size() && text[k] == '.') {
            spec += text[k++];
            while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) spec += text[k++];
        }
        bool wide = false;
        if (text.compare(k, 3, "I64") == 0) {
            wide = true;
            k += 3;
        } else if (text.compare(k, 3, "I32") == 0) {
            k += 3;
        } else if (text.compare(k, 2, "ll") == 0) {
            wide = true;
            k += 2;
        } else if (k < text.size() && (text[k] == 'l' || text[k] == 'h')) {
            k++;
        }
        if (k >= text.size()) {
            out += text.substr(i);
            break;
        }
        char type = text[k];
        if (std::string("diuoxXcCsSeEfgGaA").find(type) == std::string::npos) {
            out += text.substr(i, k - i + 1);
            i = k;
            continue;
        }
        if (next < args.size()) out += convert(spec, type, wide, args[next++]);
        i = k;
    }
    return String::from_utf8(out);
}

}  // namespace mql
