import Testing

@testable import HawsClient

@Suite struct RuntimeAPIResponseTests {
    @Test func emptyLineIsSuccess() {
        #expect(RuntimeAPIResponse.errorMessage(of: "\n") == nil)
        #expect(RuntimeAPIResponse.errorMessage(of: "") == nil)
        #expect(RuntimeAPIResponse.errorMessage(of: "\n\n") == nil)
    }

    // The texts of HAProxy 2.6.12 (samples-2.6.12/cli_admin_actions.txt).
    @Test(arguments: [
        ("No such server.\n\n", "No such server."),
        ("No such backend.\n\n", "No such backend."),
        ("Require 'backend/server'.\n\n", "Require 'backend/server'."),
        (
            "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n",
            "'set server <srv> state' expects 'ready', 'drain' and 'maint'."
        ),
        ("Permission denied\n\n", "Permission denied"),
        ("No such server.", "No such server."),
        ("[3]: No such server.\n\n", "No such server."),
        ("[err]: No such backend.\n\n", "No such backend."),
    ])
    func errorTextIsTheFirstLine(answer: String, message: String) {
        #expect(RuntimeAPIResponse.errorMessage(of: answer) == message)
    }

    @Test func recognisesLevelAndUnknownCommandAnswers() {
        #expect(RuntimeAPIResponse.isPermissionDenied("Permission denied\n\n"))
        #expect(!RuntimeAPIResponse.isPermissionDenied("# pxname,svname\n"))
        #expect(
            RuntimeAPIResponse.isUnknownCommand(
                "Unknown command, but maybe one of the following ones is a better match:\n  help\n\n"
            )
        )
        #expect(RuntimeAPIResponse.isUnknownCommand("Unknown command.\n"))
        #expect(!RuntimeAPIResponse.isUnknownCommand("\n"))
    }

    /// Captured from HAProxy 2.6.12 for `set server be/s1 state drain;set server be/nosuch state drain;
    /// set server be/s1 state ready;frob`.
    @Test func splitsABatchIntoOneAnswerPerCommand() {
        let output =
            "\nNo such server.\n\n\nUnknown command, but maybe one of the following ones is a better match:\n"
            + "  help [<command>]                        : list matching or all commands\n"
            + "  quit                                    : disconnect\n\n"
        let answers = RuntimeAPIResponse.answers(ofBatch: output)
        #expect(answers.count == 4)
        #expect(answers[0] == "")
        #expect(answers[1] == "No such server.")
        #expect(answers[2] == "")
        #expect(answers[3].hasPrefix("Unknown command"))
        #expect(answers.map(RuntimeAPIResponse.errorMessage(of:)).map { $0 == nil } == [true, false, true, false])
    }

    @Test func lastAnswerWithoutClosingEmptyLineIsKept() {
        #expect(RuntimeAPIResponse.answers(ofBatch: "\nNo such backend.") == ["", "No such backend."])
    }

    @Test(arguments: [
        ("show stat", RuntimeAPILevel.operator),
        ("show sess all", .operator),
        ("@!1234 show sess", .operator),
        ("clear counters", .operator),
        ("clear counters all", .admin),
        ("set server be/s1 state drain", .admin),
        ("shutdown sessions server be/s1", .admin),
        ("disable health be/s1", .admin),
    ])
    func knowsWhichLevelACommandNeeds(command: String, level: RuntimeAPILevel) {
        #expect(RuntimeAPILevel.required(for: command) == level)
    }
}
