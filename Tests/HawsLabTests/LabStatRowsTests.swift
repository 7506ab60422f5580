import HawsLab
import Testing

@Suite("Stats CSV rows by column name")
struct LabStatRowsTests {
    @Test("cells are found by header name, quoted cells keep commas and newlines")
    func quoted() {
        let csv = """
            # pxname,svname,status,check_desc,type,
            ws_chat,s1,UP,"Layer7, ""check"" passed",2,
            ws_chat,s2,DOWN,"multi
            line",2,
            ws_chat,BACKEND,UP,,1,

            """
        let rows = LabStatRows(csv: csv)
        #expect(rows.rows.count == 3)
        #expect(rows.row("ws_chat", "s1")?["check_desc"] == "Layer7, \"check\" passed")
        #expect(rows.row("ws_chat", "s2")?.status == "DOWN")
        #expect(rows.row("ws_chat", "s2")?["check_desc"] == "multi\nline")
        #expect(rows.row("ws_chat", "BACKEND")?["type"] == "1")
    }

    @Test("text without the header yields no rows")
    func noHeader() {
        #expect(LabStatRows(csv: "Permission denied\n").rows.isEmpty)
    }
}
