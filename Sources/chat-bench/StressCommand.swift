import ArgumentParser
struct StressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stress")
    func run() async throws {}
}
