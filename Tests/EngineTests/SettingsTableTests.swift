import Engine
import Foundation
import Testing

/// The settings table (`Setting`) is the single source: every way to give a setting, its default, its help
/// and the docs derive from one row per setting.
@Suite struct SettingsTableTests {
    /// The settings without a default: the broker account (optional) and the secret (required, or `--dev`).
    /// The push webhook's URL and secret: none means no push.
    static let withoutDefault: Set<Setting> = [.mqttUsername, .mqttPassword, .jwtSecret, .pushWebhookURL, .pushWebhookSecret]

    @Test func everySettingHasAFlagAnEnvironmentVariableAConfigKeyADefaultAndHelp() throws {
        for setting in Setting.allCases {
            let name = setting.rawValue
            #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && !name.isEmpty, "\(name)")
            #expect(setting.flag == "--" + name)
            #expect(setting.environmentVariable == "CHAT_" + name.uppercased().replacingOccurrences(of: "-", with: "_"))
            // The config-file key is the name.
            #expect(try ConfigFile.parse(Data(#"{"\#(name)": "x"}"#.utf8)) == [setting: "x"])
            #expect((setting.defaultValue == nil) == Self.withoutDefault.contains(setting), "\(name)")
            #expect(!setting.summary.isEmpty, "\(name)")
            #expect(setting.help == "\(setting.summary) (env: \(setting.environmentVariable), default: \(setting.defaultValue ?? "none"))")
            // The command line takes the flag, and --help lists it with its variable and default.
            let value = setting.isSwitch ? [] : ["x"]
            #expect(try CommandLineSettings.parse([setting.flag] + value) == [setting: setting.isSwitch ? "true" : "x"])
            #expect(CommandLineSettings.help.contains(setting.flag))
            #expect(CommandLineSettings.help.contains("(env: \(setting.environmentVariable), default: \(setting.defaultValue ?? "none"))"))
        }
        #expect(Set(Setting.allCases.map(\.environmentVariable)).count == Setting.allCases.count)
    }

    @Test func everyDefaultIsValid() throws {
        let settings = try SettingsResolver(environment: ["CHAT_JWT_SECRET": String(repeating: "s", count: 32)]).resolve()
        #expect(settings.engine.limits.roomsCreatedPerUser == 100)
        #expect(settings.engine.limits.devicesPerUser == 32)
        #expect(settings.engine.limits.pushDevicesPerUser == 10)
        #expect(settings.engine.push.webhookURL == nil && settings.engine.push.queueLimit == 10_000)
        #expect(settings.engine.push.queueBytes == 16 << 20 && settings.engine.push.retryWindow == 3600)
    }

    @Test func pushSettingsComeFromTheirVariablesAndOnlyHTTPURLsPass() throws {
        let secret = String(repeating: "s", count: 32)
        let settings = try SettingsResolver(environment: [
            "CHAT_JWT_SECRET": secret, "CHAT_PUSH_WEBHOOK_URL": "http://127.0.0.1:8090/push",
            "CHAT_PUSH_WEBHOOK_SECRET": " spaced ", "CHAT_PUSH_QUEUE_MAX": "5", "CHAT_PUSH_TIMEOUT": "2.5",
        ]).resolve()
        #expect(settings.engine.push.webhookURL == "http://127.0.0.1:8090/push")
        #expect(settings.engine.push.webhookSecret == " spaced ")
        #expect(settings.engine.push.queueLimit == 5 && settings.engine.push.timeout == 2.5)
        #expect(throws: SettingsError.self) {
            _ = try SettingsResolver(environment: ["CHAT_JWT_SECRET": secret, "CHAT_PUSH_WEBHOOK_URL": "https://gateway/push"]).resolve()
        }
        #expect(throws: SettingsError.self) {
            _ = try SettingsResolver(environment: ["CHAT_JWT_SECRET": secret, "CHAT_PUSH_QUEUE_MAX": "0"]).resolve()
        }
        // A URL without a secret: nothing could verify the pushes.
        #expect(throws: SettingsError.self) {
            _ = try SettingsResolver(environment: ["CHAT_JWT_SECRET": secret, "CHAT_PUSH_WEBHOOK_URL": "http://127.0.0.1:8090/"]).resolve()
        }
    }

    @Test func operationsGuideListsEveryFlag() throws {
        let guide = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/OPERATIONS.md")
        let text = try String(contentsOf: guide, encoding: .utf8)
        for setting in Setting.allCases {
            #expect(text.contains("`\(setting.flag)`"), "docs/OPERATIONS.md does not list \(setting.flag)")
            #expect(text.contains("`\(setting.environmentVariable)`"), "docs/OPERATIONS.md does not list \(setting.environmentVariable)")
        }
    }

    @Test func commandLineTakesNameValueNameEqualsValueAndSwitches() throws {
        let values = try CommandLineSettings.parse([
            "--mqtt-port", "1884", "--snapshot-interval=-1", "--allow-empty-start", "--fanout=room-topic", "--mqtt-port", "1885",
        ])
        #expect(values == [.mqttPort: "1885", .snapshotInterval: "-1", .allowEmptyStart: "true", .fanout: "room-topic"])
        #expect(try CommandLineSettings.parse(["--allow-empty-start=false"]) == [.allowEmptyStart: "false"])
        for (arguments, message) in [
            (["--mqtt-prot", "1"], "Unknown option '--mqtt-prot'"),
            (["--mqtt-port"], "Missing value for '--mqtt-port <mqtt-port>'"),
            (["--rate-limit", "-3"], "Missing value for '--rate-limit <rate-limit>'"),
            (["1883"], "Unexpected argument '1883'"),
        ] {
            do {
                _ = try CommandLineSettings.parse(arguments)
                Issue.record("\(arguments) was accepted")
            } catch {
                #expect(error.code == .badArgument)
                #expect(error.message == message)
            }
        }
    }
}
