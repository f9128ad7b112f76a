package testgpg

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/prodaccess/prodaccess/internal/testkeys"
)

// Bomb is an OpenPGP message encrypted to the keys given whose plaintext
// is mib MiB of zeros, compressed: a decompression bomb, about a
// thousandth of its plaintext in size, that gpg decrypts as any other
// message. It is made without compressing the plaintext: after the first
// MiB, every MiB of zeros compresses to the same bytes, which are written
// again and again.
func Bomb(to []*testkeys.Key, mib int) ([]byte, error) {
	size := uint32(mib) << 20
	// The literal data packet that the compressed data holds: binary, no
	// name, no date, and a five-octet length.
	header := []byte{0xC0 | 11, 0xFF, 0, 0, 0, 0, 'b', 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(header[2:6], size+6)

	var z bytes.Buffer
	w, err := flate.NewWriter(&z, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	zeros := make([]byte, 1<<20)
	w.Write(header)
	w.Write(zeros)
	w.Flush()
	n1 := z.Len()
	w.Write(zeros)
	w.Flush()
	n2 := z.Len()
	w.Write(zeros)
	w.Flush()
	n3 := z.Len()
	chunk := z.Bytes()[n1:n2]
	if !bytes.Equal(chunk, z.Bytes()[n2:n3]) {
		return nil, errors.New("the compressed zeros do not repeat")
	}
	var deflated bytes.Buffer
	deflated.Write(z.Bytes()[:n1])
	for range mib - 1 {
		deflated.Write(chunk)
	}
	deflated.Write([]byte{3, 0}) // a final, empty block of fixed codes

	// A compressed data packet (ZIP, raw deflate), with a five-octet length.
	var compressed bytes.Buffer
	compressed.Write([]byte{0xC0 | 8, 0xFF, 0, 0, 0, 0, 1})
	binary.BigEndian.PutUint32(compressed.Bytes()[2:6], uint32(deflated.Len()+1))
	compressed.Write(deflated.Bytes())

	key := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, err
	}
	cfg := &packet.Config{DefaultCipher: packet.CipherAES256, Time: time.Now}
	var msg bytes.Buffer
	for _, k := range to {
		enc, ok := k.Entity.EncryptionKey(time.Now())
		if !ok {
			return nil, errors.New("no encryption key")
		}
		if err := packet.SerializeEncryptedKeyAEAD(&msg, enc.PublicKey, packet.CipherAES256, false, key, cfg); err != nil {
			return nil, err
		}
	}
	sw, err := packet.SerializeSymmetricallyEncrypted(&msg, packet.CipherAES256, false, packet.CipherSuite{}, key, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := sw.Write(compressed.Bytes()); err != nil {
		return nil, err
	}
	if err := sw.Close(); err != nil {
		return nil, err
	}
	return msg.Bytes(), nil
}
