import ArgumentParser
import Engine
import Foundation

/// Settings shared by `serve` and `token` (SPEC §9). Each flag falls back to its environment variable,
/// then to the `--config` file, then to the contract's default; `SettingsResolver` does the resolving.
///
/// ArgumentParser parses only the options that are not settings (`--config`, `--dev`); every other
/// `--name value` is caught by `given` and read against the settings table (`Setting`,
/// `CommandLineSettings`). One `@Option` per setting would need a stored property, a help line and an
/// entry in a list per setting here, repeating the table; one catch-all keeps a new setting to its row,
/// and the table writes the settings' part of `--help`.
struct Settings: ParsableArguments {
    @Option(name: .customLong("config"), help: "JSON file of settings, keyed by flag name without dashes (env: CHAT_CONFIG, default: none)")
    var config: String?
    @Flag(name: .customLong("dev"), help: "Development mode: use a fixed, public token secret when none is set (flag only).")
    var dev = false
    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp(
            "Settings: --name value (or --name=value), each also read from its environment variable or the --config file.",
            discussion: CommandLineSettings.help, valueName: "setting"))
    var given: [String] = []

    mutating func validate() throws {
        _ = try flags
    }

    /// The values given as flags.
    var flags: [Setting: String] {
        get throws {
            do {
                return try CommandLineSettings.parse(given)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    /// A resolver over these flags, the process environment and the config file, if any.
    func resolver() throws -> SettingsResolver {
        let environment = ProcessInfo.processInfo.environment
        let configFile = try SettingsResolver.configPath(flag: config, environment: environment)
            .map { path throws(SettingsError) in try ConfigFile.load(path: path) } ?? [:]
        return SettingsResolver(flags: try flags, environment: environment, configFile: configFile)
    }
}
