/// Why the settings could not be resolved; the description names the setting and where its value came from.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, stable for tests and scripts.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// A value that does not parse or is out of range.
        public static let invalidValue = Code(name: "invalid_value")
        /// A required setting without a value.
        public static let missing = Code(name: "missing")
        /// A config file that cannot be read, is not a JSON object, or names an unknown setting.
        public static let badConfigFile = Code(name: "bad_config_file")
        /// A command-line argument that names no setting, or a setting's flag without its value.
        public static let badArgument = Code(name: "bad_argument")

        public var description: String { name }
    }

    public let code: Code
    /// The setting's name as in the config file (`mqtt-port`), or `config` for the file itself.
    public let setting: String
    public let message: String

    public init(_ code: Code, setting: String, _ message: String) {
        self.code = code
        self.setting = setting
        self.message = message
    }

    public var description: String { message }
}
