# topology: any
# timeout: 420
# The unit tests of the syscall injection that qemu-user cannot run (it
# implements neither ptrace(2) nor the NUMA calls), on the emulated
# machine's real arm64 kernel: the injection itself (test-inject-helper)
# and the policy plan (test-policy). Their binaries are in the machine when
# arm64/vm.sh boots it with VM_UNIT=1 (arm64/ci.sh does); without them the
# case is skipped. Each test program's own cmocka verdict decides: the
# injected calls' effects are what the threads report of their next
# allocation, as on x86-64.
unit_in_vm test-inject-helper test-policy
