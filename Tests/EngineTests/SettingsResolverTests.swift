import Engine
import Foundation
import Logging
import Testing

/// Settings precedence and validation (SPEC §9): flags > environment > config file > defaults.
@Suite struct SettingsResolverTests {
    static let secret = "0123456789abcdef0123456789abcdef"
    static let environment = ["CHAT_JWT_SECRET": secret]

    @Test func theTableOfSPEC9() {
        let table: [(Setting, String, String, String?)] = [
            (.mqttHost, "--mqtt-host", "CHAT_MQTT_HOST", "127.0.0.1"),
            (.mqttPort, "--mqtt-port", "CHAT_MQTT_PORT", "1883"),
            (.mqttUsername, "--mqtt-username", "CHAT_MQTT_USERNAME", nil),
            (.mqttPassword, "--mqtt-password", "CHAT_MQTT_PASSWORD", nil),
            (.clientID, "--client-id", "CHAT_CLIENT_ID", "chat-engine"),
            (.jwtSecret, "--jwt-secret", "CHAT_JWT_SECRET", nil),
            (.dataDir, "--data-dir", "CHAT_DATA_DIR", "./snapshots"),
            (.snapshotInterval, "--snapshot-interval", "CHAT_SNAPSHOT_INTERVAL", "60"),
            (.snapshotChanges, "--snapshot-changes", "CHAT_SNAPSHOT_CHANGES", "10000"),
            (.fsync, "--fsync", "CHAT_FSYNC", "everysec"),
            (.rateLimit, "--rate-limit", "CHAT_RATE_LIMIT", "100"),
            (.maxFileSize, "--max-file-size", "CHAT_MAX_FILE_SIZE", "10485760"),
            (.logLevel, "--log-level", "CHAT_LOG_LEVEL", "info"),
            (.metricsPort, "--metrics-port", "CHAT_METRICS_PORT", "9464"),
            (.httpHost, "--http-host", "CHAT_HTTP_HOST", "127.0.0.1"),
            (.logFormat, "--log-format", "CHAT_LOG_FORMAT", "human"),
            (.allowEmptyStart, "--allow-empty-start", "CHAT_ALLOW_EMPTY_START", "false"),
            (.fanout, "--fanout", "CHAT_FANOUT", "inbox"),
            (.roomsPerUser, "--rooms-per-user", "CHAT_ROOMS_PER_USER", "100"),
            (.directRoomsPerUser, "--direct-rooms-per-user", "CHAT_DIRECT_ROOMS_PER_USER", "200"),
            (.replyCacheBytesPerUser, "--reply-cache-bytes-per-user", "CHAT_REPLY_CACHE_BYTES_PER_USER", "1048576"),
            (.replyCacheBytes, "--reply-cache-bytes", "CHAT_REPLY_CACHE_BYTES", "67108864"),
            (.storedBytesPerUser, "--stored-bytes-per-user", "CHAT_STORED_BYTES_PER_USER", "1073741824"),
            (.pendingUploadBytes, "--pending-upload-bytes", "CHAT_PENDING_UPLOAD_BYTES", "268435456"),
            (.minFreeDiskBytes, "--min-free-disk-bytes", "CHAT_MIN_FREE_DISK_BYTES", "268435456"),
            (.socketsPerUser, "--sockets-per-user", "CHAT_SOCKETS_PER_USER", "16"),
            (.sockets, "--sockets", "CHAT_SOCKETS", "10000"),
            (.reactionsPerMessage, "--reactions-per-message", "CHAT_REACTIONS_PER_MESSAGE", "50"),
            (.rateLimitUsers, "--rate-limit-users", "CHAT_RATE_LIMIT_USERS", "100000"),
            (.blockedUsersPerUser, "--blocked-users-per-user", "CHAT_BLOCKED_USERS_PER_USER", "1000"),
            (.devicesPerUser, "--devices-per-user", "CHAT_DEVICES_PER_USER", "32"),
            (.invitationsPerRoom, "--invitations-per-room", "CHAT_INVITATIONS_PER_ROOM", "1000"),
            (.pushDevicesPerUser, "--push-devices-per-user", "CHAT_PUSH_DEVICES_PER_USER", "10"),
            (.pushWebhookURL, "--push-webhook-url", "CHAT_PUSH_WEBHOOK_URL", nil),
            (.pushWebhookSecret, "--push-webhook-secret", "CHAT_PUSH_WEBHOOK_SECRET", nil),
            (.pushQueueMax, "--push-queue-max", "CHAT_PUSH_QUEUE_MAX", "10000"),
            (.pushQueueMaxBytes, "--push-queue-max-bytes", "CHAT_PUSH_QUEUE_MAX_BYTES", "16777216"),
            (.pushConcurrency, "--push-concurrency", "CHAT_PUSH_CONCURRENCY", "4"),
            (.pushTimeout, "--push-timeout", "CHAT_PUSH_TIMEOUT", "10"),
            (.pushRetryWindow, "--push-retry-window", "CHAT_PUSH_RETRY_WINDOW", "3600"),
        ]
        #expect(table.count == Setting.allCases.count)
        for (setting, flag, variable, fallback) in table {
            #expect(setting.flag == flag)
            #expect(setting.environmentVariable == variable)
            #expect(setting.defaultValue == fallback)
            #expect(setting.help.contains(variable))
            #expect(setting.help.contains("default: \(fallback ?? "none")"))
        }
    }

    @Test func defaultsMatchTheContract() throws {
        let settings = try SettingsResolver(environment: Self.environment).resolve()
        let engine = settings.engine
        #expect(engine.mqttHost == "127.0.0.1")
        #expect(engine.mqttPort == 1883)
        #expect(engine.mqttUsername == nil)
        #expect(engine.mqttPassword == nil)
        #expect(engine.clientID == "chat-engine")
        #expect(engine.jwtSecret == Array(Self.secret.utf8))
        #expect(engine.dataDirectory == "./snapshots")
        #expect(engine.snapshotInterval == 60)
        #expect(engine.snapshotChanges == 10_000)
        #expect(engine.fsync == "everysec")
        #expect(engine.rateLimit == 100)
        #expect(engine.maxFileSize == 10_485_760)
        #expect(engine.allowEmptyStart == false)
        #expect(engine.fanout == .inbox)
        #expect(settings.logLevel == .info)
        #expect(settings.logFormat == .human)
        #expect(settings.metricsPort == 9464)
        #expect(settings.usesDevelopmentSecret == false)
    }

    @Test func flagsBeatEnvironmentBeatsConfigFileBeatsDefaults() throws {
        let resolver = SettingsResolver(
            flags: [.mqttPort: "1001"],
            environment: Self.environment.merging(["CHAT_MQTT_PORT": "2002", "CHAT_RATE_LIMIT": "7"]) { $1 },
            configFile: [.mqttPort: "3003", .rateLimit: "8", .fsync: "always"])
        let settings = try resolver.resolve()
        #expect(settings.engine.mqttPort == 1001)
        #expect(settings.engine.rateLimit == 7)
        #expect(settings.engine.fsync == "always")
        #expect(settings.engine.mqttHost == "127.0.0.1")
        #expect(resolver.raw(.mqttPort)?.source == .flag)
        #expect(resolver.raw(.rateLimit)?.source == .environment)
        #expect(resolver.raw(.fsync)?.source == .configFile)
        #expect(resolver.raw(.mqttHost)?.source == .defaultValue)
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let resolver = SettingsResolver(
            environment: Self.environment.merging(["CHAT_MQTT_HOST": ""]) { $1 }, configFile: [.mqttHost: "broker"])
        #expect(try resolver.resolve().engine.mqttHost == "broker")
    }

    @Test func everySettingIsReadFromItsFlag() throws {
        let flags: [Setting: String] = [
            .mqttHost: "broker.local", .mqttPort: "8883", .mqttUsername: "engine", .mqttPassword: "pw",
            .clientID: "engine-1", .jwtSecret: Self.secret + "!", .dataDir: "/var/lib/chat",
            .snapshotInterval: "2.5", .snapshotChanges: "50", .fsync: "NO", .rateLimit: "0",
            .maxFileSize: "1024", .logLevel: "DEBUG", .logFormat: "json", .metricsPort: "0", .allowEmptyStart: "true",
            .httpHost: "0.0.0.0", .roomsPerUser: "1", .directRoomsPerUser: "2", .replyCacheBytesPerUser: "3",
            .replyCacheBytes: "4", .storedBytesPerUser: "5", .pendingUploadBytes: "6", .minFreeDiskBytes: "7",
            .socketsPerUser: "8", .sockets: "9", .reactionsPerMessage: "10", .rateLimitUsers: "11",
            .blockedUsersPerUser: "12", .devicesPerUser: "13", .invitationsPerRoom: "14",
            .fanout: "Room-Topic", .pushDevicesPerUser: "15", .pushWebhookURL: "http://gateway:8090/push",
            .pushWebhookSecret: "hook", .pushQueueMax: "16", .pushQueueMaxBytes: "4096", .pushConcurrency: "2",
            .pushTimeout: "1.5", .pushRetryWindow: "60",
        ]
        #expect(flags.count == Setting.allCases.count)
        let settings = try SettingsResolver(flags: flags).resolve()
        let engine = settings.engine
        #expect(engine.mqttHost == "broker.local")
        #expect(engine.mqttPort == 8883)
        #expect(engine.mqttUsername == "engine")
        #expect(engine.mqttPassword == "pw")
        #expect(engine.clientID == "engine-1")
        #expect(engine.fanout == .roomTopic)
        let limits = engine.limits
        #expect([
            limits.roomsCreatedPerUser, limits.directRoomsOpenedPerUser, limits.replyCacheBytesPerUser,
            limits.replyCacheBytesTotal, limits.storedBytesPerUser, limits.pendingUploadBytesTotal,
            limits.minimumFreeDiskBytes, limits.socketsPerUser, limits.socketsTotal, limits.reactionsPerMessage,
            limits.rateLimitBuckets, limits.blockedUsersPerUser, limits.devicesPerUser, limits.invitationsPerRoom,
            limits.pushDevicesPerUser,
        ] == Array(1...15))
        let push = engine.push
        #expect(push.webhookURL == "http://gateway:8090/push" && push.webhookSecret == "hook")
        #expect(push.queueLimit == 16 && push.queueBytes == 4096 && push.concurrency == 2)
        #expect(push.timeout == 1.5 && push.retryWindow == 60)
        #expect(engine.jwtSecret == Array((Self.secret + "!").utf8))
        #expect(engine.dataDirectory == "/var/lib/chat")
        #expect(engine.snapshotInterval == 2.5)
        #expect(engine.snapshotChanges == 50)
        #expect(engine.fsync == "no")
        #expect(engine.rateLimit == 0)
        #expect(engine.maxFileSize == 1024)
        #expect(engine.allowEmptyStart)
        #expect(settings.logLevel == .debug)
        #expect(settings.logFormat == .json)
        #expect(settings.metricsPort == 0)
        #expect(settings.httpHost == "0.0.0.0")
    }

    @Test(arguments: [
        (Setting.mqttPort, "abc"), (.mqttPort, "0"), (.mqttPort, "70000"), (.metricsPort, "http"), (.metricsPort, "-1"),
        (.fsync, "sometimes"), (.snapshotInterval, "-5"), (.snapshotInterval, "0"), (.snapshotInterval, "soon"),
        (.snapshotChanges, "-1"), (.rateLimit, "-3"), (.maxFileSize, "big"), (.logLevel, "verbose"),
        (.logFormat, "xml"), (.allowEmptyStart, "maybe"), (.clientID, ""), (.fanout, "broker"),
        (.pushWebhookURL, "https://gateway/push"), (.pushQueueMax, "0"), (.pushConcurrency, "0"), (.pushTimeout, "0"),
    ])
    func invalidValuesNameTheSetting(setting: Setting, value: String) {
        for (resolver, origin) in [
            (SettingsResolver(flags: [setting: value], environment: Self.environment), setting.flag),
            (SettingsResolver(environment: Self.environment.merging([setting.environmentVariable: value]) { $1 }),
             setting.environmentVariable),
            (SettingsResolver(environment: Self.environment, configFile: [setting: value]), "config file"),
        ] where !(value.isEmpty && origin == setting.environmentVariable) {
            do {
                _ = try resolver.resolve()
                Issue.record("\(setting) = '\(value)' from \(origin) was accepted")
            } catch {
                #expect(error.code == .invalidValue)
                #expect(error.setting == setting.rawValue)
                #expect(error.description.contains(setting.rawValue))
                #expect(error.description.contains(origin))
            }
        }
    }

    @Test func theSecretIsRequiredAndLongEnough() throws {
        #expect(throws: SettingsError.self) { try SettingsResolver().resolve() }
        do {
            _ = try SettingsResolver(flags: [.jwtSecret: "short"]).resolve()
            Issue.record("a 5-byte secret was accepted")
        } catch {
            #expect(error.setting == "jwt-secret")
            #expect(error.description.contains("32 bytes"))
        }
        let dev = try SettingsResolver().resolve(dev: true)
        #expect(dev.usesDevelopmentSecret)
        #expect(dev.engine.jwtSecret == Array(SettingsResolver.developmentSecret.utf8))
        // An explicit secret wins over --dev.
        let explicit = try SettingsResolver(environment: Self.environment).resolve(dev: true)
        #expect(!explicit.usesDevelopmentSecret)
        #expect(explicit.engine.jwtSecret == Array(Self.secret.utf8))
    }

    @Test func configFileIsAJSONObjectOfKnownSettings() throws {
        let values = try ConfigFile.parse(Data("""
            {"mqtt-host": "broker", "mqtt-port": 1884, "snapshot-interval": 0.5, "allow-empty-start": true}
            """.utf8))
        #expect(values == [.mqttHost: "broker", .mqttPort: "1884", .snapshotInterval: "0.5", .allowEmptyStart: "true"])
        let settings = try SettingsResolver(environment: Self.environment, configFile: values).resolve()
        #expect(settings.engine.mqttPort == 1884)
        #expect(settings.engine.snapshotInterval == 0.5)
        #expect(settings.engine.allowEmptyStart)

        #expect(throws: SettingsError.self) { try ConfigFile.parse(Data(#"{"mqtt-prot": 1}"#.utf8)) }
        #expect(throws: SettingsError.self) { try ConfigFile.parse(Data("[1, 2]".utf8)) }
        #expect(throws: SettingsError.self) { try ConfigFile.parse(Data("not json".utf8)) }
        #expect(throws: SettingsError.self) { try ConfigFile.load(path: "/nonexistent/chat-engine.json") }
    }

    @Test func configPathComesFromFlagThenEnvironment() {
        #expect(SettingsResolver.configPath(flag: "a.json", environment: ["CHAT_CONFIG": "b.json"]) == "a.json")
        #expect(SettingsResolver.configPath(flag: nil, environment: ["CHAT_CONFIG": "b.json"]) == "b.json")
        #expect(SettingsResolver.configPath(flag: nil, environment: ["CHAT_CONFIG": ""]) == nil)
    }
}
