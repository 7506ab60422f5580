import HawsLab
import Testing

@Suite("show proc parsing")
struct MasterProcessListTests {
    @Test("master, current and old workers are told apart")
    func sections() {
        let text = """
            #<PID>          <type>          <reloads>       <uptime>        <version>      
            9016            master          1 [failed: 0]   0d00h00m04s     2.6.12-1+deb12u4
            # workers
            9110            worker          0               0d00h00m00s     2.6.12-1+deb12u4
            # old workers
            9020            worker          [was: 1]        0d00h00m28s     2.6.12-1+deb12u4
            # programs

            """
        let list = MasterProcessList(parsing: text)
        #expect(list.masterPid == 9016)
        #expect(list.workers == [9110])
        #expect(list.oldWorkers == [9020])
    }

    @Test("an empty answer lists nothing")
    func empty() {
        #expect(MasterProcessList(parsing: "") == MasterProcessList())
    }
}
