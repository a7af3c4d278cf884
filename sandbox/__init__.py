"""The sandbox clearinghouse: a real SFTP server that answers 837s like a clearinghouse."""
