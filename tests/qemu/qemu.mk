# QEMU proving ground (included by the top Makefile).  Everything it makes
# lives under $(BUILD)/qemu; see tests/qemu/README.md.
#
#   make check-qemu                 all scenarios (part of make test)
#   make check-qemu QEMU_SCENARIOS="2-no-raid-untouched"
#   make qemu-images                the fixtures only: packages, roots,
#                                   installer images, ISO files
#
# The xsraid variant of the installer is built from XSRAID_BIN and the hook
# scripts in XSRAID_HOOK_DIR.  To exercise the harness without the helper:
#   make check-qemu XSRAID_BIN=none \
#       XSRAID_HOOK_DIR=tests/qemu/fixtures/placeholder-hook \
#       QEMU_SCENARIOS=2-no-raid-untouched

QEMU_DIR        := tests/qemu
QEMU_BUILD      := $(BUILD)/qemu
XSRAID_BIN      ?= $(BUILD)/xsraid
XSRAID_HOOK_DIR ?= installer-hook/hook
QEMU_SCENARIOS  ?=

QEMU_PKGS_DONE  := $(QEMU_BUILD)/pkgs/.done
QEMU_DOM0_DONE  := $(QEMU_BUILD)/dom0-root.done
QEMU_IMG_STOCK  := $(QEMU_BUILD)/install-stock.img
QEMU_IMG_XSRAID := $(QEMU_BUILD)/install-xsraid.img
QEMU_ISO_DONE   := $(QEMU_BUILD)/iso-files/.done

QEMU_INSTALLER_SRC := $(wildcard $(QEMU_DIR)/installer/*) $(QEMU_DIR)/marker.sh $(QEMU_DIR)/mkroots.sh
QEMU_DOM0_SRC      := $(wildcard $(QEMU_DIR)/dom0/*) $(QEMU_DIR)/marker.sh $(QEMU_DIR)/mkroots.sh
# The helper is a real prerequisite unless the placeholder run asks for none.
QEMU_XSRAID_DEP    := $(filter-out none,$(XSRAID_BIN))

$(QEMU_PKGS_DONE): $(QEMU_DIR)/fetch-debs.sh versions.env
	$(QEMU_DIR)/fetch-debs.sh $(QEMU_BUILD)
	touch $@

$(QEMU_DOM0_DONE): $(QEMU_PKGS_DONE) $(QEMU_DOM0_SRC) versions.env
	sh $(QEMU_DIR)/mkroots.sh dom0 $(QEMU_BUILD)/pkgs $(QEMU_BUILD)/dom0-root
	touch $@

$(QEMU_IMG_STOCK): $(QEMU_DOM0_DONE) $(QEMU_INSTALLER_SRC)
	sh $(QEMU_DIR)/mkroots.sh installer $(QEMU_BUILD)/pkgs $(QEMU_BUILD)/dom0-root \
		$(QEMU_BUILD)/installer-root $@

# Rebuilt whenever the helper or a hook file changes (FORCE-free: the hook
# directory's files are listed as prerequisites).
$(QEMU_IMG_XSRAID): $(QEMU_IMG_STOCK) $(QEMU_XSRAID_DEP) $(wildcard $(XSRAID_HOOK_DIR)/*) $(QEMU_BUILD)/xsraid-inputs
	sh $(QEMU_DIR)/mkroots.sh xsraid $(QEMU_IMG_STOCK) $(XSRAID_BIN) $(XSRAID_HOOK_DIR) $@

# Records which helper and hook directory the xsraid image was made from,
# so switching between the placeholder and the real hook rebuilds it.
$(QEMU_BUILD)/xsraid-inputs: FORCE
	@mkdir -p $(@D)
	@echo "$(XSRAID_BIN) $(XSRAID_HOOK_DIR)" | cmp -s - $@ || echo "$(XSRAID_BIN) $(XSRAID_HOOK_DIR)" >$@

# What the boot ISO holds besides install.img: isolinux, mboot.c32 and
# libcom32.c32, Xen and the dom0 kernel.
$(QEMU_ISO_DONE): $(QEMU_PKGS_DONE) versions.env
	rm -rf $(@D) && mkdir -p $(@D)
	cp $(QEMU_BUILD)/pkgs/isolinux/usr/lib/ISOLINUX/isolinux.bin $(@D)/
	cp $(addprefix $(QEMU_BUILD)/pkgs/syslinux-common/usr/lib/syslinux/modules/bios/,ldlinux.c32 mboot.c32 libcom32.c32) $(@D)/
	cp $(QEMU_BUILD)/pkgs/xen-hypervisor-*/boot/xen-*-amd64.gz $(@D)/xen.gz
	cp $(QEMU_BUILD)/pkgs/linux-image-$(KERNEL_ABI)/boot/vmlinuz-$(KERNEL_ABI) $(@D)/vmlinuz
	touch $@

qemu-images: $(QEMU_IMG_STOCK) $(QEMU_IMG_XSRAID) $(QEMU_ISO_DONE)

QEMU_ENV = QEMU_BUILD=$(abspath $(QEMU_BUILD)) IMG_STOCK=$(abspath $(QEMU_IMG_STOCK)) \
	IMG_XSRAID=$(abspath $(QEMU_IMG_XSRAID)) ISO_FILES=$(abspath $(QEMU_BUILD)/iso-files)

check-qemu: qemu-images
	$(QEMU_ENV) $(PXE_ENV) $(QEMU_DIR)/run.sh $(QEMU_SCENARIOS)

# The end-to-end part of make demo: a fleet's host installed over the
# network with xsraid, then booted from disk 2 alone (tests/qemu/pxe-demo.sh).
demo-install: qemu-images
	$(QEMU_ENV) $(PXE_ENV) $(QEMU_DIR)/pxe-demo.sh

.PHONY: check-qemu qemu-images demo-install FORCE
