import ArgumentParser
import Engine
import Foundation

/// Settings shared by `serve` and `token` (SPEC §9). Each flag falls back to its environment variable,
/// then to the `--config` file, then to the contract's default; `SettingsResolver` does the resolving.
struct Settings: ParsableArguments {
    @Option(name: .customLong("config"), help: "JSON file of settings, keyed by flag name without dashes (env: CHAT_CONFIG, default: none)")
    var config: String?
    @Option(name: .customLong("mqtt-host"), help: ArgumentHelp(Setting.mqttHost.help))
    var mqttHost: String?
    @Option(name: .customLong("mqtt-port"), help: ArgumentHelp(Setting.mqttPort.help))
    var mqttPort: String?
    @Option(name: .customLong("mqtt-username"), help: ArgumentHelp(Setting.mqttUsername.help))
    var mqttUsername: String?
    @Option(name: .customLong("mqtt-password"), help: ArgumentHelp(Setting.mqttPassword.help))
    var mqttPassword: String?
    @Option(name: .customLong("client-id"), help: ArgumentHelp(Setting.clientID.help))
    var clientID: String?
    @Option(name: .customLong("jwt-secret"), help: ArgumentHelp(Setting.jwtSecret.help))
    var jwtSecret: String?
    @Flag(name: .customLong("dev"), help: "Development mode: use a fixed, public token secret when none is set (flag only).")
    var dev = false
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(Setting.dataDir.help))
    var dataDir: String?
    @Option(name: .customLong("snapshot-interval"), help: ArgumentHelp(Setting.snapshotInterval.help))
    var snapshotInterval: String?
    @Option(name: .customLong("snapshot-changes"), help: ArgumentHelp(Setting.snapshotChanges.help))
    var snapshotChanges: String?
    @Option(name: .customLong("fsync"), help: ArgumentHelp(Setting.fsync.help))
    var fsync: String?
    @Option(name: .customLong("rate-limit"), help: ArgumentHelp(Setting.rateLimit.help))
    var rateLimit: String?
    @Option(name: .customLong("max-file-size"), help: ArgumentHelp(Setting.maxFileSize.help))
    var maxFileSize: String?
    @Option(name: .customLong("log-level"), help: ArgumentHelp(Setting.logLevel.help))
    var logLevel: String?
    @Option(name: .customLong("log-format"), help: ArgumentHelp(Setting.logFormat.help))
    var logFormat: String?
    @Option(name: .customLong("metrics-port"), help: ArgumentHelp(Setting.metricsPort.help))
    var metricsPort: String?
    @Option(name: .customLong("http-host"), help: ArgumentHelp(Setting.httpHost.help))
    var httpHost: String?
    @Flag(name: .customLong("allow-empty-start"), help: ArgumentHelp(Setting.allowEmptyStart.help))
    var allowEmptyStart = false
    @Option(name: .customLong("fanout"), help: ArgumentHelp(Setting.fanout.help))
    var fanout: String?
    @OptionGroup(title: "Limits on what users can make the engine hold")
    var limits: LimitOptions

    /// The values given as flags.
    var flags: [Setting: String] {
        let given: [(Setting, String?)] = [
            (.mqttHost, mqttHost), (.mqttPort, mqttPort), (.mqttUsername, mqttUsername),
            (.mqttPassword, mqttPassword), (.clientID, clientID), (.jwtSecret, jwtSecret), (.dataDir, dataDir),
            (.snapshotInterval, snapshotInterval), (.snapshotChanges, snapshotChanges), (.fsync, fsync),
            (.rateLimit, rateLimit), (.maxFileSize, maxFileSize), (.logLevel, logLevel), (.logFormat, logFormat),
            (.metricsPort, metricsPort), (.httpHost, httpHost), (.allowEmptyStart, allowEmptyStart ? "true" : nil),
            (.fanout, fanout),
        ]
        return Dictionary(uniqueKeysWithValues: (given + limits.given).compactMap { setting, value in value.map { (setting, $0) } })
    }

    /// A resolver over these flags, the process environment and the config file, if any.
    func resolver() throws -> SettingsResolver {
        let environment = ProcessInfo.processInfo.environment
        let configFile = try SettingsResolver.configPath(flag: config, environment: environment)
            .map { path throws(SettingsError) in try ConfigFile.load(path: path) } ?? [:]
        return SettingsResolver(flags: flags, environment: environment, configFile: configFile)
    }
}

/// The `UserLimits` settings, one flag each.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("rooms-per-user"), help: ArgumentHelp(Setting.roomsPerUser.help))
    var roomsPerUser: String?
    @Option(name: .customLong("direct-rooms-per-user"), help: ArgumentHelp(Setting.directRoomsPerUser.help))
    var directRoomsPerUser: String?
    @Option(name: .customLong("reply-cache-bytes-per-user"), help: ArgumentHelp(Setting.replyCacheBytesPerUser.help))
    var replyCacheBytesPerUser: String?
    @Option(name: .customLong("reply-cache-bytes"), help: ArgumentHelp(Setting.replyCacheBytes.help))
    var replyCacheBytes: String?
    @Option(name: .customLong("stored-bytes-per-user"), help: ArgumentHelp(Setting.storedBytesPerUser.help))
    var storedBytesPerUser: String?
    @Option(name: .customLong("pending-upload-bytes"), help: ArgumentHelp(Setting.pendingUploadBytes.help))
    var pendingUploadBytes: String?
    @Option(name: .customLong("min-free-disk-bytes"), help: ArgumentHelp(Setting.minFreeDiskBytes.help))
    var minFreeDiskBytes: String?
    @Option(name: .customLong("sockets-per-user"), help: ArgumentHelp(Setting.socketsPerUser.help))
    var socketsPerUser: String?
    @Option(name: .customLong("sockets"), help: ArgumentHelp(Setting.sockets.help))
    var sockets: String?
    @Option(name: .customLong("reactions-per-message"), help: ArgumentHelp(Setting.reactionsPerMessage.help))
    var reactionsPerMessage: String?
    @Option(name: .customLong("rate-limit-users"), help: ArgumentHelp(Setting.rateLimitUsers.help))
    var rateLimitUsers: String?
    @Option(name: .customLong("blocked-users-per-user"), help: ArgumentHelp(Setting.blockedUsersPerUser.help))
    var blockedUsersPerUser: String?
    @Option(name: .customLong("devices-per-user"), help: ArgumentHelp(Setting.devicesPerUser.help))
    var devicesPerUser: String?

    var given: [(Setting, String?)] {
        [
            (.roomsPerUser, roomsPerUser), (.directRoomsPerUser, directRoomsPerUser),
            (.replyCacheBytesPerUser, replyCacheBytesPerUser), (.replyCacheBytes, replyCacheBytes),
            (.storedBytesPerUser, storedBytesPerUser), (.pendingUploadBytes, pendingUploadBytes),
            (.minFreeDiskBytes, minFreeDiskBytes), (.socketsPerUser, socketsPerUser), (.sockets, sockets),
            (.reactionsPerMessage, reactionsPerMessage), (.rateLimitUsers, rateLimitUsers),
            (.blockedUsersPerUser, blockedUsersPerUser), (.devicesPerUser, devicesPerUser),
        ]
    }
}
