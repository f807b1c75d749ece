/// Where a setting's value came from, in precedence order.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    case flag
    case environment
    case configFile
    case defaultValue

    /// How to name the origin of `setting`'s value in an error message.
    func origin(of setting: Setting) -> String {
        switch self {
        case .flag: setting.flag
        case .environment: setting.environmentVariable
        case .configFile: "config file key '\(setting.rawValue)'"
        case .defaultValue: "the default of \(setting.flag)"
        }
    }

    public var description: String {
        switch self {
        case .flag: "flag"
        case .environment: "environment"
        case .configFile: "config file"
        case .defaultValue: "default"
        }
    }
}
