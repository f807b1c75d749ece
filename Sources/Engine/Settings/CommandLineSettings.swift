/// The settings given on the command line, read against the table (`Setting`).
///
/// `chat-engine` lets ArgumentParser parse its own options and hands the rest here: `--name value`,
/// `--name=value`, or `--name` alone for a true/false setting. Repeating a flag keeps the last value.
public enum CommandLineSettings {
    /// The values of `arguments`, by setting; an unknown flag, a missing value or a stray word throws.
    public static func parse(_ arguments: [String]) throws(SettingsError) -> [Setting: String] {
        var values: [Setting: String] = [:]
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else {
                throw SettingsError(.badArgument, setting: argument, "Unexpected argument '\(argument)'")
            }
            let nameAndValue = argument.dropFirst(2).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(nameAndValue[0])
            guard let setting = Setting(rawValue: name) else {
                throw SettingsError(.badArgument, setting: name, "Unknown option '--\(name)'")
            }
            if nameAndValue.count == 2 {
                values[setting] = String(nameAndValue[1])
            } else if setting.isSwitch {
                values[setting] = "true"
            } else if let value = rest.first, !value.hasPrefix("-") {
                values[setting] = value
                rest = rest.dropFirst()
            } else {
                throw SettingsError(.badArgument, setting: name, "Missing value for '\(setting.flag) <\(name)>'")
            }
        }
        return values
    }

    /// The settings' part of `--help`: each flag, its summary, environment variable and default. Wrapped here
    /// to 68 columns (ArgumentParser indents it by 8 and re-wraps only lines too long for the terminal), with
    /// the environment variable and default on a line of their own so that no wrap splits them.
    public static var help: String {
        Setting.allCases.map { setting in
            let usage = setting.isSwitch ? setting.flag : "\(setting.flag) <\(setting.rawValue)>"
            let origin = "(env: \(setting.environmentVariable), default: \(setting.defaultValue ?? "none"))"
            return ([usage] + wrap(setting.summary, to: 64).map { "    " + $0 } + ["    " + origin]).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// `text` in lines of at most `width` characters, broken at spaces (a longer word gets a line of its own).
    static func wrap(_ text: String, to width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        return line.isEmpty ? lines : lines + [line]
    }
}
