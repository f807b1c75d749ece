import Foundation

/// A `--config` file: a JSON object whose keys are settings' names (`"mqtt-port": 1883`).
///
/// Values may be strings, numbers or booleans; they are read as text and validated like flags.
/// Unknown keys are refused so that a typo does not silently leave a default in force.
public enum ConfigFile {
    /// Parses the file's bytes into raw setting values.
    public static func parse(_ data: Data) throws(SettingsError) -> [Setting: String] {
        let object: [String: Value]
        do {
            object = try JSONDecoder().decode([String: Value].self, from: data)
        } catch {
            throw SettingsError(.badConfigFile, setting: "config", "the config file is not a JSON object of settings: \(error)")
        }
        var values: [Setting: String] = [:]
        for (key, value) in object {
            guard let setting = Setting(rawValue: key) else {
                let known = Setting.allCases.map(\.rawValue).joined(separator: ", ")
                throw SettingsError(.badConfigFile, setting: key, "unknown setting '\(key)' in the config file (known: \(known))")
            }
            values[setting] = value.text
        }
        return values
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(SettingsError) -> [Setting: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError(.badConfigFile, setting: "config", "cannot read the config file '\(path)' (--config / CHAT_CONFIG)")
        }
        return try parse(data)
    }

    /// A JSON scalar, kept as the text a flag would carry.
    struct Value: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let bool = try? container.decode(Bool.self) {
                text = bool ? "true" : "false"
            } else if let integer = try? container.decode(Int.self) {
                text = String(integer)
            } else if let number = try? container.decode(Double.self) {
                text = String(number)
            } else {
                text = try container.decode(String.self)
            }
        }
    }
}
