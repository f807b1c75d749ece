/// Resolves settings with the contract's precedence: flags, then environment, then config file, then
/// defaults (SPEC §9). A pure value: the executable hands it what it parsed and read, tests hand it literals.
public struct SettingsResolver: Sendable {
    /// Values given as flags, as typed.
    public var flags: [Setting: String]
    /// The process environment; empty values count as unset.
    public var environment: [String: String]
    /// Values from the `--config` file.
    public var configFile: [Setting: String]

    /// The secret `--dev` uses when none is set; public, so tokens signed with it prove nothing.
    public static let developmentSecret = "chat-engine-development-secret-do-not-use-in-production"

    /// - Parameters:
    ///   - flags: values given on the command line.
    ///   - environment: environment variables (`ProcessInfo.processInfo.environment`).
    ///   - configFile: values from the config file (`ConfigFile.load(path:)`).
    public init(flags: [Setting: String] = [:], environment: [String: String] = [:], configFile: [Setting: String] = [:]) {
        self.flags = flags
        self.environment = environment
        self.configFile = configFile
    }

    /// The config file's path: `--config`, else `CHAT_CONFIG`, else none.
    public static func configPath(flag: String?, environment: [String: String]) -> String? {
        flag ?? environment["CHAT_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: Lookup

    /// The raw value of `setting` and where it came from; nil when it has neither a value nor a default.
    public func raw(_ setting: Setting) -> (value: String, source: SettingSource)? {
        if let value = flags[setting] { return (value, .flag) }
        if let value = environment[setting.environmentVariable], !value.isEmpty { return (value, .environment) }
        if let value = configFile[setting] { return (value, .configFile) }
        return setting.defaultValue.map { ($0, .defaultValue) }
    }

    /// Reads `setting`'s value, if it has one, into `settings` through its row; the error names the setting and
    /// where its value came from. Without a value or a default, `settings` keeps what it had.
    func store(_ setting: Setting, in settings: inout ServeSettings) throws(SettingsError) {
        guard let (text, source) = raw(setting) else { return }
        let row = setting.row
        guard row.store(row.trims ? Self.trimmed(text) : text, &settings) else {
            throw SettingsError(
                .invalidValue, setting: setting.rawValue,
                "invalid \(setting.rawValue) '\(text)' (from \(source.origin(of: setting))): expected \(row.expected)")
        }
    }

    // MARK: Resolution

    /// The token secret's bytes, from `--jwt-secret` / `CHAT_JWT_SECRET` / the config file, or the
    /// development secret when `dev` is set and none is given.
    public func secret(dev: Bool) throws(SettingsError) -> (bytes: [UInt8], isDevelopment: Bool) {
        guard let (secret, source) = raw(.jwtSecret) else {
            if dev { return (Array(Self.developmentSecret.utf8), true) }
            throw SettingsError(
                .missing, setting: Setting.jwtSecret.rawValue,
                "no token secret: set --jwt-secret or CHAT_JWT_SECRET (at least 32 bytes), or run with --dev")
        }
        guard secret.utf8.count >= 32 else {
            throw SettingsError(
                .invalidValue, setting: Setting.jwtSecret.rawValue,
                "jwt-secret (from \(source.origin(of: .jwtSecret))) must be at least 32 bytes, got \(secret.utf8.count)")
        }
        return (Array(secret.utf8), false)
    }

    /// Everything `serve` needs, validated; the first invalid setting, in the table's order, throws.
    public func resolve(dev: Bool = false) throws(SettingsError) -> ServeSettings {
        let secret = try secret(dev: dev)
        var settings = ServeSettings(engine: EngineConfiguration(jwtSecret: secret.bytes), usesDevelopmentSecret: secret.isDevelopment)
        for setting in Setting.allCases {
            try store(setting, in: &settings)
        }
        if settings.engine.push.webhookURL != nil && settings.engine.push.webhookSecret == nil {
            throw SettingsError(
                .missing, setting: Setting.pushWebhookSecret.rawValue,
                "push-webhook-url is set but push-webhook-secret (CHAT_PUSH_WEBHOOK_SECRET) is not: the gateway checks every push's signature")
        }
        return settings
    }

    // MARK: Parsers

    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
