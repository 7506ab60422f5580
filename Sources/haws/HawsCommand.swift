import ArgumentParser

@main
struct HawsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "haws",
        abstract: "Stats and health monitor for HAProxy in front of WebSocket backends."
    )
}
